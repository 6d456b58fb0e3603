using System.Globalization;
using LatticeFlow.Runs;

namespace LatticeFlow.Analysis;

/// <summary>
/// The columns of a run's measurements.csv, split by chain: Column("absM")[b] is chain b's series.
/// Only complete rows count (a run being written may end in a partial line); an empty column
/// (e.g. delta_H of a Metropolis run) is left out.
/// </summary>
public sealed class MeasurementTable
{
    private readonly Dictionary<string, double[][]> _columns;

    public int Chains { get; }
    public int Configurations { get; }
    public IReadOnlyCollection<string> Names => _columns.Keys;

    private MeasurementTable(Dictionary<string, double[][]> columns, int chains, int configurations)
    {
        _columns = columns;
        Chains = chains;
        Configurations = configurations;
    }

    public double[][] Column(string name) => _columns.TryGetValue(name, out var c) ? c : throw new InvalidInputException($"measurements.csv has no column {name}");

    /// <param name="skip">Leading configurations to drop (thermalisation).</param>
    /// <param name="file">measurements.csv, or proposals.csv of a flow run (indexed by "update").</param>
    private static bool TryParse(string text, out double v)
    {
        switch (text)
        {
            case "inf": v = double.PositiveInfinity; return true;
            case "-inf": v = double.NegativeInfinity; return true;
            default: return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out v);
        }
    }

    public static MeasurementTable Load(string dir, long skip = 0, string file = RunFiles.Measurements, string index = "config")
    {
        string path = RunFiles.Path(dir, file);
        if (!File.Exists(path)) throw new InvalidInputException($"{dir}: not a LatticeFlow run (no {file})");
        string text = File.ReadAllText(path);
        var lines = text.Split('\n');
        int complete = text.EndsWith('\n') ? lines.Length - 1 : lines.Length - 1; // the last piece is "" or a partial line
        var header = lines[0].Split(',');
        int configCol = Array.IndexOf(header, index), chainCol = Array.IndexOf(header, "chain");
        if (configCol < 0 || chainCol < 0) throw new InvalidInputException($"{path}: no {index}/chain columns");
        var rows = new List<string[]>();
        for (int i = 1; i < complete; i++)
        {
            var f = lines[i].Split(',');
            if (f.Length != header.Length) throw new InvalidInputException($"{path}: line {i + 1} has {f.Length} fields, the header {header.Length}");
            rows.Add(f);
        }
        int chains = rows.Count == 0 ? 1 : rows.Max(r => int.Parse(r[chainCol], CultureInfo.InvariantCulture)) + 1;
        int configurations = rows.Count / chains;
        int kept = (int)Math.Max(0, configurations - skip);
        var columns = new Dictionary<string, double[][]>();
        for (int c = 0; c < header.Length; c++)
        {
            if (c == configCol || c == chainCol) continue;
            if (rows.Count > 0 && rows.All(r => r[c].Length == 0)) continue;
            var perChain = new double[chains][];
            for (int b = 0; b < chains; b++) perChain[b] = new double[kept];
            for (int k = 0; k < kept; k++)
                for (int b = 0; b < chains; b++)
                {
                    var row = rows[(int)((k + skip) * chains + b)];
                    if (!TryParse(row[c], out double v) || double.IsNaN(v))
                        throw new InvalidInputException($"{path}: column {header[c]}, configuration {k + skip}, chain {b}: not a number ({row[c]})");
                    perChain[b][k] = v;
                }
            columns[header[c]] = perChain;
        }
        return new MeasurementTable(columns, chains, kept);
    }
}
