using System.Globalization;
using System.Text;
using LatticeFlow.Analysis;

namespace LatticeFlow.Runs;

/// <summary>
/// measurements.csv: one row per configuration and chain, invariant culture, round-trip precision,
/// columns config,chain,M,absM,M2,action_density,ising_product,accept_rate,delta_H (delta_H empty
/// where the algorithm has none). pandas.read_csv reads it as written.
/// </summary>
public sealed class MeasurementsCsv : IDisposable
{
    public const string Header = "config,chain,M,absM,M2,action_density,ising_product,accept_rate,delta_H";

    private readonly StreamWriter _writer;
    private readonly StringBuilder _line = new();

    private MeasurementsCsv(StreamWriter writer) => _writer = writer;

    public static MeasurementsCsv Create(string path)
    {
        var w = new MeasurementsCsv(new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" });
        w._writer.WriteLine(Header);
        return w;
    }

    /// <summary>Keeps the header and the first <paramref name="keepLines"/> data lines, then appends.</summary>
    public static MeasurementsCsv Reopen(string path, long keepLines)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header) throw new InvalidInputException($"{path}: not a LatticeFlow measurements file");
        if (lines.Length - 1 < keepLines) throw new InvalidInputException($"{path}: holds {lines.Length - 1} rows, the checkpoint expects {keepLines}");
        File.WriteAllLines(path, lines.Take((int)keepLines + 1));
        return new MeasurementsCsv(new StreamWriter(path, append: true, new UTF8Encoding(false)) { NewLine = "\n" });
    }

    public void Append(long config, int chain, in ConfigurationMeasurement m, double acceptance, double? deltaH)
    {
        var c = CultureInfo.InvariantCulture;
        _line.Clear();
        _line.Append(config.ToString(c)).Append(',').Append(chain.ToString(c)).Append(',')
            .Append(m.M.ToString("R", c)).Append(',').Append(m.AbsM.ToString("R", c)).Append(',')
            .Append(m.M2.ToString("R", c)).Append(',').Append(m.ActionDensity.ToString("R", c)).Append(',')
            .Append(m.IsingProduct.ToString("R", c)).Append(',').Append(acceptance.ToString("R", c)).Append(',');
        if (deltaH is double d) _line.Append(d.ToString("R", c));
        _writer.WriteLine(_line);
    }

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();
}
