using System.Globalization;
using System.Text;

namespace LatticeFlow.Files;

/// <summary>
/// A CSV file of numbers (our measurements.csv and proposals.csv, or the same after pandas) read by columns in one
/// streaming pass: the file is never held as text, and chunks of it are parsed on all cores, so a 1.3 GB file costs
/// its columns' memory (8 bytes a number) and seconds. Fields are numbers in invariant culture, "inf", "-inf", "nan"
/// (any case) or empty (NaN; a column that is empty on every row is reported by <see cref="IsEmpty"/>). A last line
/// without its newline (a file still being written) is left out.
/// </summary>
public sealed class CsvColumns
{
    private readonly double[][] _columns;
    private readonly bool[] _hasValue;

    public IReadOnlyList<string> Header { get; }
    public long Rows { get; }

    private CsvColumns(string[] header, double[][] columns, bool[] hasValue, long rows)
    {
        Header = header;
        _columns = columns;
        _hasValue = hasValue;
        Rows = rows;
    }

    /// <summary>The values of column <paramref name="name"/>, one per row; null where the file has no such column.</summary>
    public double[]? Column(string name) => Array.IndexOf((string[])Header, name) is int c and >= 0 ? _columns[c] : null;

    /// <summary>
    /// The values of column <paramref name="name"/>, handed over: this object forgets them, so a caller that turns the
    /// columns into another layout one by one holds at most one extra column at a time.
    /// </summary>
    public double[]? Take(string name)
    {
        int c = Array.IndexOf((string[])Header, name);
        if (c < 0) return null;
        var column = _columns[c];
        _columns[c] = [];
        return column;
    }

    /// <summary>Whether column <paramref name="name"/> holds no value on any row (e.g. delta_H of a Metropolis run).</summary>
    public bool IsEmpty(string name) => Array.IndexOf((string[])Header, name) is int c and >= 0 && !_hasValue[c];

    /// <exception cref="InvalidInputException">The file is missing, has no header, or a row has the wrong number of fields or a field that is not a number (named with its line).</exception>
    public static CsvColumns Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: no such file");
        long dataStart, end;
        string[] header;
        var bounds = new List<long>();
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16))
        {
            header = ReadHeaderLine(fs, path, out dataStart).Split(',');
            // The last complete line ends at the last '\n'; anything after it is a partial row.
            end = LastNewline(fs, dataStart, fs.Length) + 1;
            int parts = (int)Math.Clamp((end - dataStart) / (4 << 20), 1, 4 * Environment.ProcessorCount);
            bounds.Add(dataStart);
            for (int p = 1; p < parts; p++) bounds.Add(NextLineStart(fs, dataStart + (end - dataStart) * p / parts, end));
            bounds.Add(end);
        }
        int chunks = bounds.Count - 1;
        // Two passes: count each chunk's rows, then parse every chunk straight into its rows of the final columns (no
        // growing buffers, so the file's numbers are held once: 8 bytes each).
        var rowsIn = new long[chunks];
        Parallel.For(0, chunks, p => rowsIn[p] = Scan(path, bounds[p], bounds[p + 1], null));
        long rows = rowsIn.Sum();
        if (rows > Array.MaxLength) throw new InvalidInputException($"{path}: {rows} rows are more than one column can hold");
        var firstRow = new long[chunks];
        for (int p = 1; p < chunks; p++) firstRow[p] = firstRow[p - 1] + rowsIn[p - 1];
        var columns = new double[header.Length][];
        for (int c = 0; c < header.Length; c++) columns[c] = new double[rows];
        var states = new ParseState[chunks];
        Parallel.For(0, chunks, p =>
        {
            states[p] = new ParseState(columns, firstRow[p]);
            Scan(path, bounds[p], bounds[p + 1], states[p]);
        });
        foreach (var st in states)
            if (st.Error is { } e) throw new InvalidInputException($"{path}: line {e.Row + 2}: {e.Message}");
        var hasValue = new bool[header.Length];
        foreach (var st in states)
            for (int c = 0; c < header.Length; c++) hasValue[c] |= st.HasValue[c];
        return new CsvColumns(header, columns, hasValue, rows);
    }

    private static string ReadHeaderLine(FileStream fs, string path, out long dataStart)
    {
        var bytes = new List<byte>();
        int b;
        while ((b = fs.ReadByte()) >= 0 && b != '\n') bytes.Add((byte)b);
        if (b < 0) throw new InvalidInputException($"{path}: no header line");
        dataStart = fs.Position;
        return Encoding.UTF8.GetString([.. bytes]).TrimEnd('\r');
    }

    private static long LastNewline(FileStream fs, long start, long length)
    {
        var buffer = new byte[1 << 16];
        long pos = length;
        while (pos > start)
        {
            int n = (int)Math.Min(buffer.Length, pos - start);
            pos -= n;
            fs.Seek(pos, SeekOrigin.Begin);
            fs.ReadExactly(buffer, 0, n);
            int i = Array.LastIndexOf(buffer, (byte)'\n', n - 1, n);
            if (i >= 0) return pos + i;
        }
        return start - 1;
    }

    private static long NextLineStart(FileStream fs, long from, long end)
    {
        fs.Seek(from, SeekOrigin.Begin);
        int b;
        while (fs.Position < end && (b = fs.ReadByte()) >= 0)
            if (b == '\n') return fs.Position;
        return end;
    }

    /// <summary>Where one chunk's rows go, and what it found: whether each column had a value, the first bad row.</summary>
    private sealed class ParseState(double[][] columns, long firstRow)
    {
        public double[][] Columns { get; } = columns;
        public long Row { get; set; } = firstRow;
        public bool[] HasValue { get; } = new bool[columns.Length];
        public (long Row, string Message)? Error { get; set; }
    }

    /// <summary>
    /// Reads the lines of [start, end) (whole lines): counts them where <paramref name="state"/> is null, else parses
    /// each into its row of the columns (stopping at the first bad one, recorded in the state).
    /// </summary>
    private static long Scan(string path, long start, long end, ParseState? state)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        fs.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[1 << 20];
        int filled = 0;
        long remaining = end - start, lines = 0;
        while (remaining > 0 || filled > 0)
        {
            int n = (int)Math.Min(buffer.Length - filled, remaining);
            if (n > 0)
            {
                fs.ReadExactly(buffer, filled, n);
                filled += n;
                remaining -= n;
            }
            var data = buffer.AsSpan(0, filled);
            int consumed = 0;
            if (state is null)
            {
                int last = data.LastIndexOf((byte)'\n');
                lines += data.Count((byte)'\n');
                consumed = last + 1;
            }
            else
            {
                while (true)
                {
                    int nl = data[consumed..].IndexOf((byte)'\n');
                    if (nl < 0) break;
                    if (!ParseLine(state, data.Slice(consumed, nl))) return lines;
                    consumed += nl + 1;
                    lines++;
                }
            }
            if (consumed == 0 && filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            data[consumed..].CopyTo(buffer);
            filled -= consumed;
            if (remaining == 0 && filled > 0) throw new InvalidOperationException("chunk bounds not at a line end");
        }
        return lines;
    }

    private static bool ParseLine(ParseState state, ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
        int fields = state.Columns.Length, f = 0;
        while (true)
        {
            int comma = line.IndexOf((byte)',');
            var field = comma < 0 ? line : line[..comma];
            if (f >= fields)
            {
                state.Error = (state.Row, $"more than the header's {fields} fields");
                return false;
            }
            if (!TryParse(field, out double v, out bool empty))
            {
                state.Error = (state.Row, $"field {f + 1} ({Encoding.UTF8.GetString(field)}) is not a number");
                return false;
            }
            state.Columns[f][state.Row] = v;
            state.HasValue[f] |= !empty;
            f++;
            if (comma < 0) break;
            line = line[(comma + 1)..];
        }
        if (f != fields)
        {
            state.Error = (state.Row, $"{f} fields, the header has {fields}");
            return false;
        }
        state.Row++;
        return true;
    }

    private static bool TryParse(ReadOnlySpan<byte> field, out double v, out bool empty)
    {
        empty = field.IsEmpty;
        if (empty) { v = double.NaN; return true; }
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out v)) return true;
        Span<char> lower = stackalloc char[Math.Min(field.Length, 16)];
        if (field.Length > 16) return false;
        for (int i = 0; i < field.Length; i++) lower[i] = char.ToLowerInvariant((char)field[i]);
        switch (lower)
        {
            case "inf" or "+inf" or "infinity" or "+infinity": v = double.PositiveInfinity; return true;
            case "-inf" or "-infinity": v = double.NegativeInfinity; return true;
            case "nan" or "-nan": v = double.NaN; return true;
            default: return false;
        }
    }
}
