using System.Globalization;
using System.Text;

namespace LatticeFlow.Runs;

/// <summary>
/// numpy .npy v1.0 files of little-endian float64 in C order
/// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
/// The writer appends along the first axis and rewrites the header's leading dimension after each flush,
/// so an interrupted run leaves a file numpy.load reads as written. The header is padded to a fixed
/// 128 bytes, enough for any shape we write, so rewriting it never moves the data.
/// </summary>
public sealed class NpyWriter : IDisposable
{
    private const int HeaderBytes = 128;
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
    /// anything after them (written after the last checkpoint) is cut off.
    /// </summary>
    public static NpyWriter Reopen(string path, long keepRows, params int[] innerShape)
    {
        var header = NpyReader.ReadHeader(path);
        if (!header.Shape.Skip(1).SequenceEqual(innerShape.Select(i => (long)i)))
            throw new InvalidInputException($"{path}: shape [{string.Join(", ", header.Shape)}] does not match this run");
        if (header.Shape[0] < keepRows)
            throw new InvalidInputException($"{path}: holds {header.Shape[0]} rows, the checkpoint expects {keepRows}");
        var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var w = new NpyWriter(fs, innerShape, keepRows);
        fs.SetLength(HeaderBytes + keepRows * w._rowDoubles * sizeof(double));
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

    /// <summary>Makes the rows written so far durable and visible to readers.</summary>
    public void Flush()
    {
        WriteHeader();
        _stream.Flush(flushToDisk: false);
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

/// <summary>The header of a float64 .npy file.</summary>
public sealed record NpyHeader(long[] Shape, long DataOffset);

/// <summary>Reads the float64 C-order .npy files that <see cref="NpyWriter"/> (or numpy) writes.</summary>
public static class NpyReader
{
    public static NpyHeader ReadHeader(string path)
    {
        using var fs = File.OpenRead(path);
        return ReadHeader(fs, path);
    }

    private static NpyHeader ReadHeader(Stream fs, string path)
    {
        var pre = new byte[10];
        if (fs.Read(pre, 0, 10) != 10 || pre[0] != 0x93 || Encoding.ASCII.GetString(pre, 1, 5) != "NUMPY")
            throw new InvalidInputException($"{path}: not a .npy file");
        int major = pre[6];
        int len;
        int prefix;
        if (major == 1) { len = BitConverter.ToUInt16(pre, 8); prefix = 10; }
        else
        {
            var more = new byte[2];
            if (fs.Read(more, 0, 2) != 2) throw new InvalidInputException($"{path}: truncated .npy header");
            len = (int)BitConverter.ToUInt32([pre[8], pre[9], more[0], more[1]]);
            prefix = 12;
        }
        var text = new byte[len];
        if (fs.Read(text, 0, len) != len) throw new InvalidInputException($"{path}: truncated .npy header");
        string dict = Encoding.ASCII.GetString(text);
        if (!dict.Contains("'descr': '<f8'") || !dict.Contains("'fortran_order': False"))
            throw new InvalidInputException($"{path}: only little-endian float64 arrays in C order are supported");
        int open = dict.IndexOf("'shape': (", StringComparison.Ordinal);
        int close = dict.IndexOf(')', open);
        if (open < 0 || close < 0) throw new InvalidInputException($"{path}: .npy header has no shape");
        var shape = dict[(open + 10)..close]
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new NpyHeader(shape, prefix + len);
    }

    /// <summary>The whole array, flattened in C order, with its shape. Rows the file claims but does not hold are an error.</summary>
    public static (double[] Data, long[] Shape) Read(string path)
    {
        using var fs = File.OpenRead(path);
        var h = ReadHeader(fs, path);
        long count = h.Shape.Aggregate(1L, (a, b) => a * b);
        if (fs.Length - h.DataOffset < count * sizeof(double))
            throw new InvalidInputException($"{path}: truncated (header promises {count} values)");
        var data = new double[count];
        var bytes = new byte[count * sizeof(double)];
        fs.Seek(h.DataOffset, SeekOrigin.Begin);
        fs.ReadExactly(bytes);
        Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
        return (data, h.Shape);
    }
}
