using System.Globalization;
using System.Text;

namespace LatticeFlow.Files;

/// <summary>
/// An append-only CSV file (invariant culture, round-trip doubles, "\n" line ends) that a resumed run
/// cuts back to the rows its checkpoint knows of before appending again. pandas.read_csv reads it as written.
/// </summary>
public sealed class CsvLog : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly StringBuilder _line = new();
    private int _fields;

    public string Header { get; }

    private CsvLog(StreamWriter writer, string header)
    {
        _writer = writer;
        Header = header;
    }

    public static CsvLog Create(string path, string header)
    {
        var log = new CsvLog(new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" }, header);
        log._writer.WriteLine(header);
        return log;
    }

    /// <summary>Keeps the header and the first <paramref name="keepLines"/> data lines, then appends.</summary>
    public static CsvLog Reopen(string path, string header, long keepLines)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: missing; cannot resume");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != header) throw new InvalidInputException($"{path}: unexpected header; not written by this kind of run");
        if (lines.Length - 1 < keepLines) throw new InvalidInputException($"{path}: holds {lines.Length - 1} rows, the checkpoint expects {keepLines}");
        File.WriteAllLines(path, lines.Take((int)keepLines + 1));
        return new CsvLog(new StreamWriter(path, append: true, new UTF8Encoding(false)) { NewLine = "\n" }, header);
    }

    /// <summary>Starts a row; add fields with <see cref="Add(double)"/> and finish with <see cref="EndRow"/>.</summary>
    public CsvLog Add(long value) => Field(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A double in round-trip form; infinities as inf and -inf, which pandas and numpy read.</summary>
    public CsvLog Add(double value) => Field(double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf" : value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>An empty field (a value the algorithm does not have).</summary>
    public CsvLog Empty() => Field("");

    private CsvLog Field(string text)
    {
        if (_fields++ > 0) _line.Append(',');
        _line.Append(text);
        return this;
    }

    public void EndRow()
    {
        _writer.WriteLine(_line);
        _line.Clear();
        _fields = 0;
    }

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();
}
