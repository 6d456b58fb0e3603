using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace LatticeFlow.Files;

/// <summary>
/// An append-only CSV file (invariant culture, round-trip doubles, "\n" line ends) that a resumed run
/// cuts back to the rows its checkpoint knows of before appending again. pandas.read_csv reads it as written.
/// </summary>
public sealed class CsvLog : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly FileStream _stream;
    private readonly StreamWriter _writer;
    private readonly StringBuilder _line = new();
    private int _fields;

    public string Header { get; }

    private CsvLog(FileStream stream, string header)
    {
        _stream = stream;
        _writer = new StreamWriter(stream, Utf8) { NewLine = "\n" };
        Header = header;
    }

    public static CsvLog Create(string path, string header)
    {
        var log = new CsvLog(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), header);
        log._writer.WriteLine(header);
        return log;
    }

    /// <summary>
    /// Keeps the header and the data up to byte <paramref name="keepBytes"/> (the end of the last row to keep, from
    /// <see cref="Scan"/>), cuts off the rest, and appends after it. A file whose header line is not whole is written anew.
    /// </summary>
    public static CsvLog Reopen(string path, string header, CsvExtent keep)
    {
        if (!keep.HeaderWhole) return Create(path, header);
        var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        if (fs.Length < keep.EndOffset) throw new InvalidInputException($"{path}: shorter than when it was scanned; is another process writing it?");
        fs.SetLength(keep.EndOffset);
        fs.Seek(0, SeekOrigin.End);
        return new CsvLog(fs, header);
    }

    /// <summary>
    /// How much of a file written by a CsvLog is whole, reading it once from the start: the header line, then the rows that
    /// are complete lines ("\n"-terminated) with as many fields as the header, whose first two fields are the integers
    /// row / <paramref name="group"/> and row % <paramref name="group"/> (config and chain, or update and chain), up to
    /// <paramref name="maxRows"/> rows. The first row that fails any of this (a line cut short by a crash, a zero-filled
    /// block, a gap or a repeat in the sequence) ends the whole part.
    /// </summary>
    /// <remarks>A missing file holds nothing: its header is not whole.</remarks>
    /// <exception cref="InvalidInputException">The file's first line is whole and not <paramref name="header"/>.</exception>
    public static CsvExtent Scan(string path, string header, int group, long maxRows)
    {
        if (!File.Exists(path)) return new CsvExtent(false, 0, 0);
        byte[] expected = Utf8.GetBytes(header + "\n");
        int fields = header.Split(',').Length;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        int filled = 0, start = 0;
        long consumed = 0, rows = 0;
        bool headerSeen = false, eof = false;
        while (rows < maxRows || !headerSeen)
        {
            int nl = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
            if (nl < 0)
            {
                if (eof) break;
                // Move the partial line to the front (growing the buffer for a line longer than it) and read on.
                int partial = filled - start;
                if (partial == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                Buffer.BlockCopy(buffer, start, buffer, 0, partial);
                start = 0;
                filled = partial;
                int n = fs.Read(buffer, filled, buffer.Length - filled);
                if (n == 0) eof = true;
                filled += n;
                continue;
            }
            var line = buffer.AsSpan(start, nl + 1);
            if (!headerSeen)
            {
                if (!line.SequenceEqual(expected)) throw new InvalidInputException($"{path}: unexpected header; not written by this kind of run");
                headerSeen = true;
            }
            else
            {
                if (!RowIsWhole(line[..^1], fields, rows / group, rows % group)) break;
                rows++;
            }
            consumed += line.Length;
            start += line.Length;
        }
        if (!headerSeen)
        {
            // A header cut short (an interrupted copy) holds no rows; anything else is not our file.
            if (!expected.AsSpan().StartsWith(buffer.AsSpan(0, filled)))
                throw new InvalidInputException($"{path}: unexpected header; not written by this kind of run");
            return new CsvExtent(false, 0, 0);
        }
        return new CsvExtent(true, rows, consumed);
    }

    private static bool RowIsWhole(ReadOnlySpan<byte> line, int fields, long first, long second)
    {
        if (line.Count((byte)',') != fields - 1) return false;
        return LeadingInteger(ref line) == first && LeadingInteger(ref line) == second;
    }

    /// <summary>The integer field at the start of <paramref name="line"/>, which then starts after its comma; −1 if it is not one.</summary>
    private static long LeadingInteger(ref ReadOnlySpan<byte> line)
    {
        int comma = line.IndexOf((byte)',');
        var field = comma < 0 ? line : line[..comma];
        line = comma < 0 ? default : line[(comma + 1)..];
        return Utf8Parser.TryParse(field, out long v, out int used) && used == field.Length && used > 0 ? v : -1;
    }

    /// <summary>Starts a row; add fields with <see cref="Add(double)"/> and finish with <see cref="EndRow"/>.</summary>
    public CsvLog Add(long value) => Field(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A double in round-trip form; not-a-number as nan and infinities as inf and -inf, which pandas and numpy read.</summary>
    public CsvLog Add(double value) => Field(Format(value));

    /// <summary>The text <see cref="Add(double)"/> writes for <paramref name="value"/>.</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? "nan" : double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

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

    /// <summary>Hands the rows written so far to the operating system (readers see them) and, with
    /// <paramref name="durable"/>, to the disk (fsync), so that a power cut cannot lose them.</summary>
    public void Flush(bool durable = false)
    {
        _writer.Flush();
        _stream.Flush(flushToDisk: durable);
    }

    public void Dispose() => _writer.Dispose();
}

/// <summary>What <see cref="CsvLog.Scan"/> found: whether the header line is whole, the whole rows after it, and the byte
/// offset where they end.</summary>
public readonly record struct CsvExtent(bool HeaderWhole, long Rows, long EndOffset);
