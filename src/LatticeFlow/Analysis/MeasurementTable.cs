using LatticeFlow.Files;

namespace LatticeFlow.Analysis;

/// <summary>
/// The columns of a run's measurements.csv (or proposals.csv, indexed by "update"), split by chain: Column("absM")[b] is
/// chain b's series in order of configuration. Rows are placed by their index and chain columns, never by position:
/// rows out of order are sorted and exact duplicate rows dropped (both said in <see cref="Notes"/>); a configuration
/// missing for some chain, or two different rows for one (configuration, chain), is refused. Only complete rows count
/// (a run being written may end in a partial line); a column empty on every row (delta_H of a Metropolis run) is left out.
/// </summary>
public sealed class MeasurementTable
{
    private readonly Dictionary<string, double[][]> _columns;

    public int Chains { get; }
    /// <summary>Configurations per chain after the thermalisation cut.</summary>
    public int Configurations { get; }
    public IReadOnlyCollection<string> Names => _columns.Keys;
    /// <summary>Configurations per chain the file holds, before any cut.</summary>
    public long Total { get; private init; }
    /// <summary>Repairs made while reading (sorted rows, dropped duplicates), one sentence each.</summary>
    public IReadOnlyList<string> Notes { get; }

    private MeasurementTable(Dictionary<string, double[][]> columns, int chains, int configurations, IReadOnlyList<string> notes)
    {
        _columns = columns;
        Chains = chains;
        Configurations = configurations;
        Notes = notes;
    }

    /// <exception cref="InvalidInputException">The file has no such column.</exception>
    public double[][] Column(string name) => _columns.TryGetValue(name, out var c) ? c : throw new InvalidInputException($"measurements.csv has no column {name}");

    public bool Has(string name) => _columns.ContainsKey(name);

    /// <param name="skip">Leading configurations to drop (thermalisation).</param>
    /// <param name="file">measurements.csv, or proposals.csv of a flow run (indexed by "update").</param>
    /// <param name="index">The column that numbers the rows of a chain.</param>
    /// <param name="limit">Configurations to read at most, before <paramref name="skip"/> (those other files also hold).</param>
    /// <exception cref="InvalidInputException">No such file, a malformed row, or rows that cannot be placed (gaps, conflicting duplicates).</exception>
    public static MeasurementTable Load(string dir, long skip = 0, string file = RunFiles.Measurements, string index = "config", long limit = long.MaxValue)
    {
        string path = RunFiles.Path(dir, file);
        if (!File.Exists(path)) throw new InvalidInputException($"{dir}: not a LatticeFlow run (no {file})");
        var csv = CsvColumns.Read(path);
        var configs = csv.Column(index);
        var chainColumn = csv.Column("chain");
        if (configs is null || chainColumn is null) throw new InvalidInputException($"{path}: no {index}/chain columns");
        var notes = new List<string>();
        long rows = csv.Rows;
        int chains = 0;
        long first = long.MaxValue;
        for (long i = 0; i < rows; i++)
        {
            double c = chainColumn[i], k = configs[i];
            if (!(c >= 0 && c == Math.Floor(c) && c < 1 << 20) || !(k >= 0 && k == Math.Floor(k)))
                throw new InvalidInputException($"{path}: line {i + 2}: {index} {k} and chain {c} must be non-negative integers");
            chains = Math.Max(chains, (int)c + 1);
            first = Math.Min(first, (long)k);
        }
        if (rows == 0) { chains = 1; first = 0; }
        // Configuration k of measurements.csv is row k of timeslices.npy and fields.npy: the numbering must start at 0.
        if (index == "config" && first != 0)
            throw new InvalidInputException($"{path}: configurations 0 to {first - 1} are missing; the rows cannot be matched with the other files");
        var order = Order(path, index, csv, configs, chainColumn, chains, first, notes, out long perChain);
        csv.Take(index);
        csv.Take("chain");
        long kept = Math.Max(0, Math.Min(perChain, limit) - skip);
        if (kept > Array.MaxLength) throw new InvalidInputException($"{path}: {kept} configurations per chain are too many");
        var columns = new Dictionary<string, double[][]>();
        foreach (string name in csv.Header)
        {
            if (name == index || name == "chain" || (rows > 0 && csv.IsEmpty(name))) continue;
            var all = csv.Take(name)!;
            var perChainColumns = new double[chains][];
            // One chain in file order and nothing cut: the column is the chain's series as it stands (no copy).
            if (chains == 1 && order is null && skip == 0 && kept == all.Length)
            {
                columns[name] = [all];
                continue;
            }
            for (int b = 0; b < chains; b++)
            {
                var x = new double[kept];
                for (long k = 0; k < kept; k++)
                {
                    long row = (k + skip) * chains + b;
                    x[k] = all[order is null ? row : order[row]];
                }
                perChainColumns[b] = x;
            }
            columns[name] = perChainColumns;
        }
        return new MeasurementTable(columns, chains, (int)kept, notes) { Total = perChain };
    }

    /// <summary>
    /// The row of each (configuration, chain) slot, slot = (config − first)·B + chain; null when the file is already in
    /// that order (the common case: no index is built).
    /// </summary>
    private static long[]? Order(string path, string index, CsvColumns csv, double[] configs, double[] chain, int chains, long first, List<string> notes, out long perChain)
    {
        long rows = csv.Rows;
        bool canonical = true;
        for (long i = 0; canonical && i < rows; i++)
            canonical = configs[i] == first + i / chains && chain[i] == i % chains;
        if (canonical)
        {
            perChain = rows / chains;
            if (rows % chains != 0) notes.Add($"{path}: the last {index} has rows for only {rows % chains} of {chains} chains (still being written?); left out");
            return null;
        }
        var keys = new long[rows];
        var rowOf = new long[rows];
        for (long i = 0; i < rows; i++)
        {
            keys[i] = ((long)configs[i] - first) * chains + (long)chain[i];
            rowOf[i] = i;
        }
        Array.Sort(keys, rowOf);
        var slots = new List<long>((int)Math.Min(rows, int.MaxValue));
        long dropped = 0;
        for (long i = 0; i < rows; i++)
        {
            if (i > 0 && keys[i] == keys[i - 1])
            {
                if (!SameRow(csv, rowOf[i], rowOf[i - 1]))
                    throw new InvalidInputException($"{path}: {index} {first + keys[i] / chains} of chain {keys[i] % chains} appears twice with different values (lines {rowOf[i - 1] + 2} and {rowOf[i] + 2}); the file cannot be repaired");
                dropped++;
                continue;
            }
            long expected = slots.Count;
            if (keys[i] != expected)
                throw new InvalidInputException($"{path}: {index} {first + expected / chains} of chain {expected % chains} is missing; the rows have a gap and cannot be analysed as a chain");
            slots.Add(rowOf[i]);
        }
        perChain = slots.Count / chains;
        if (slots.Count % chains != 0) notes.Add($"{path}: the last {index} has rows for only {slots.Count % chains} of {chains} chains (still being written?); left out");
        notes.Add($"{path}: rows were not in order of ({index}, chain); read in that order" + (dropped > 0 ? $", {dropped} duplicate row(s) dropped" : ""));
        return [.. slots];
    }

    private static bool SameRow(CsvColumns csv, long a, long b)
    {
        foreach (string name in csv.Header)
        {
            var c = csv.Column(name)!;
            if (!(c[a].Equals(c[b]))) return false;
        }
        return true;
    }
}
