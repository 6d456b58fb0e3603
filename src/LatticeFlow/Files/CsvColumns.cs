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
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        string headerLine = ReadHeaderLine(fs, path, out long dataStart);
        var header = headerLine.Split(',');
        long length = fs.Length;
        // The last complete line ends at the last '\n'; anything after it is a partial row.
        long end = LastNewline(fs, dataStart, length) + 1;
        int parts = (int)Math.Clamp((end - dataStart) / (4 << 20), 1, Environment.ProcessorCount);
        var bounds = new long[parts + 1];
        bounds[0] = dataStart;
        bounds[parts] = end;
        for (int p = 1; p < parts; p++) bounds[p] = NextLineStart(fs, dataStart + (end - dataStart) * p / parts, end);
        var chunks = new Chunk[parts];
        Parallel.For(0, parts, p => chunks[p] = Chunk.Parse(path, header.Length, bounds[p], bounds[p + 1]));
        // Line numbers of later chunks are only known once earlier ones are counted; errors carry their chunk's offset.
        long line = 2;
        foreach (var c in chunks)
        {
            if (c.Error is { } e) throw new InvalidInputException($"{path}: line {line + e.Line}: {e.Message}");
            line += c.Rows;
        }
        long rows = chunks.Sum(c => c.Rows);
        var columns = new double[header.Length][];
        var hasValue = new bool[header.Length];
        for (int j = 0; j < header.Length; j++)
        {
            var all = new double[rows];
            long at = 0;
            foreach (var c in chunks)
            {
                c.Columns[j].CopyTo(all, at);
                at += c.Rows;
                hasValue[j] |= c.HasValue[j];
                c.Columns[j].Release();
            }
            columns[j] = all;
        }
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

    /// <summary>A growable column of doubles in blocks (no copy of everything when it grows).</summary>
    private sealed class ColumnBuffer
    {
        private const int Block = 1 << 16;
        private readonly List<double[]> _blocks = [];
        private int _used = Block;

        public void Add(double v)
        {
            if (_used == Block) { _blocks.Add(new double[Block]); _used = 0; }
            _blocks[^1][_used++] = v;
        }

        public void CopyTo(double[] target, long at)
        {
            for (int i = 0; i < _blocks.Count; i++)
            {
                int n = i == _blocks.Count - 1 ? _used : Block;
                Array.Copy(_blocks[i], 0, target, at, n);
                at += n;
            }
        }

        public void Release() => _blocks.Clear();
    }

    private sealed class Chunk
    {
        public required ColumnBuffer[] Columns { get; init; }
        public required bool[] HasValue { get; init; }
        public long Rows { get; set; }
        public (long Line, string Message)? Error { get; set; }

        public static Chunk Parse(string path, int fields, long start, long end)
        {
            var chunk = new Chunk { Columns = [.. Enumerable.Range(0, fields).Select(_ => new ColumnBuffer())], HasValue = new bool[fields] };
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            fs.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[1 << 20];
            int filled = 0;
            long remaining = end - start;
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
                while (true)
                {
                    int nl = data[consumed..].IndexOf((byte)'\n');
                    if (nl < 0) break;
                    if (!ParseLine(chunk, data.Slice(consumed, nl), fields))
                        return chunk;
                    consumed += nl + 1;
                }
                if (consumed == 0 && filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                data[consumed..].CopyTo(buffer);
                filled -= consumed;
                if (remaining == 0 && filled > 0) throw new InvalidOperationException("chunk bounds not at a line end");
            }
            return chunk;
        }

        private static bool ParseLine(Chunk chunk, ReadOnlySpan<byte> line, int fields)
        {
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            int f = 0;
            while (true)
            {
                int comma = line.IndexOf((byte)',');
                var field = comma < 0 ? line : line[..comma];
                if (f >= fields)
                {
                    chunk.Error = (chunk.Rows, $"more than the header's {fields} fields");
                    return false;
                }
                if (!TryParse(field, out double v, out bool empty))
                {
                    chunk.Error = (chunk.Rows, $"field {f + 1} ({Encoding.UTF8.GetString(field)}) is not a number");
                    return false;
                }
                chunk.Columns[f].Add(v);
                chunk.HasValue[f] |= !empty;
                f++;
                if (comma < 0) break;
                line = line[(comma + 1)..];
            }
            if (f != fields)
            {
                chunk.Error = (chunk.Rows, $"{f} fields, the header has {fields}");
                return false;
            }
            chunk.Rows++;
            return true;
        }
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
