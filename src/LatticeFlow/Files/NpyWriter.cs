using System.Globalization;
using System.Text;

namespace LatticeFlow.Files;

/// <summary>
/// numpy .npy v1.0 files of little-endian float64 in C order
/// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
/// The writer appends along the first axis and rewrites the header's leading dimension after each flush,
/// so an interrupted run leaves a file numpy.load reads as written. The header is padded to a fixed
/// 128 bytes, enough for any shape we write, so rewriting it never moves the data.
/// </summary>
public sealed class NpyWriter : IDisposable
{
    /// <summary>Bytes before the data: magic, version, header length and the padded header text.</summary>
    public const int HeaderBytes = 128;
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    private readonly FileStream _stream;
    private readonly int[] _innerShape;
    private readonly long _rowDoubles;
    private readonly byte[] _buffer;

    /// <summary>Rows (entries along the leading axis) written so far.</summary>
    public long Rows { get; private set; }

    private NpyWriter(FileStream stream, int[] innerShape, long rows)
    {
        _stream = stream;
        _innerShape = innerShape;
        _rowDoubles = innerShape.Aggregate(1L, (a, b) => a * b);
        _buffer = new byte[checked((int)(_rowDoubles * sizeof(double)))];
        Rows = rows;
    }

    /// <summary>A new file of shape [0, innerShape...], replacing any old one.</summary>
    public static NpyWriter Create(string path, params int[] innerShape)
    {
        var w = new NpyWriter(new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read), innerShape, 0);
        w.WriteHeader();
        return w;
    }

    /// <summary>
    /// Reopens a file written by <see cref="Create"/> to append after its first <paramref name="keepRows"/> rows;
    /// anything after them is cut off. The caller has checked with <see cref="NpyReader.Extent"/> that they are there.
    /// </summary>
    /// <exception cref="InvalidInputException">The file's inner shape is not <paramref name="innerShape"/>, or it holds fewer rows.</exception>
    public static NpyWriter Reopen(string path, long keepRows, params int[] innerShape)
    {
        var header = NpyReader.ReadHeader(path);
        if (!header.Shape.Skip(1).SequenceEqual(innerShape.Select(i => (long)i)))
            throw new InvalidInputException($"{path}: shape [{string.Join(", ", header.Shape)}] does not match this run");
        var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var w = new NpyWriter(fs, innerShape, keepRows);
        long end = HeaderBytes + keepRows * w._rowDoubles * sizeof(double);
        if (header.DataOffset != HeaderBytes || fs.Length < end)
        {
            fs.Dispose();
            throw new InvalidInputException($"{path}: holds fewer than the {keepRows} rows to keep");
        }
        fs.SetLength(end);
        fs.Seek(0, SeekOrigin.End);
        w.WriteHeader();
        return w;
    }

    /// <summary>Appends one row; <paramref name="row"/> holds the product of the inner shape in C order.</summary>
    public void Append(ReadOnlySpan<double> row)
    {
        if (row.Length != _rowDoubles) throw new ArgumentException($"row of {row.Length} values, expected {_rowDoubles}");
        for (int i = 0; i < row.Length; i++)
            BitConverter.TryWriteBytes(_buffer.AsSpan(i * sizeof(double)), row[i]);
        // A seek flushes the stream's buffer (one write call per row); only the header rewrite moves the position.
        long at = HeaderBytes + Rows * _rowDoubles * sizeof(double);
        if (_stream.Position != at) _stream.Seek(at, SeekOrigin.Begin);
        _stream.Write(_buffer);
        Rows++;
    }

    /// <summary>
    /// Rewrites the header's row count and hands the rows to the operating system, so readers see them; with
    /// <paramref name="durable"/> also to the disk (fsync), so that a power cut cannot lose them.
    /// </summary>
    public void Flush(bool durable = false)
    {
        WriteHeader();
        _stream.Flush(flushToDisk: durable);
    }

    private void WriteHeader()
    {
        long pos = _stream.Position;
        _stream.Seek(0, SeekOrigin.Begin);
        _stream.Write(BuildHeader([Rows, .. _innerShape.Select(i => (long)i)]));
        _stream.Seek(Math.Max(pos, HeaderBytes), SeekOrigin.Begin);
    }

    internal static byte[] BuildHeader(long[] shape)
    {
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        string dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({dims}), }}";
        int textBytes = HeaderBytes - Magic.Length - 2;
        if (dict.Length + 1 > textBytes) throw new ArgumentException("npy header too long");
        var bytes = new byte[HeaderBytes];
        Magic.CopyTo(bytes, 0);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), (ushort)textBytes);
        Encoding.ASCII.GetBytes(dict.PadRight(textBytes - 1) + "\n").CopyTo(bytes, 10);
        return bytes;
    }

    public void Dispose()
    {
        Flush();
        _stream.Dispose();
    }
}
