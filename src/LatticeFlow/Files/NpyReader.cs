using System.Globalization;
using System.Text;

namespace LatticeFlow.Files;

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

    /// <summary>
    /// How many rows (entries of the leading axis) the file holds whole: its header's count, and the rows whose bytes are
    /// all present, which is fewer where the file was cut short (a crash, an interrupted copy).
    /// </summary>
    public static (long HeaderRows, long WholeRows) Extent(string path, NpyHeader header)
    {
        long rowBytes = header.Shape.Skip(1).Aggregate(1L, (a, b) => a * b) * sizeof(double);
        long present = (new FileInfo(path).Length - header.DataOffset) / Math.Max(rowBytes, 1);
        long rows = header.Shape.Length == 0 ? 0 : header.Shape[0];
        return (rows, Math.Max(0, Math.Min(rows, present)));
    }

    /// <summary>
    /// The whole array, flattened in C order, with its shape, for arrays that fit in one .NET array. Rows the file
    /// claims but does not hold are an error. Large files are read with <see cref="Rows"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">Not a float64 .npy file, truncated, or too large for one array.</exception>
    public static (double[] Data, long[] Shape) Read(string path)
    {
        using var fs = File.OpenRead(path);
        var h = ReadHeader(fs, path);
        long count = h.Shape.Aggregate(1L, (a, b) => a * b);
        if (fs.Length - h.DataOffset < count * sizeof(double))
            throw new InvalidInputException($"{path}: truncated (header promises {count} values)");
        if (count > Array.MaxLength) throw new InvalidInputException($"{path}: {count} values are too many for one array; read it row by row");
        var data = new double[count];
        fs.Seek(h.DataOffset, SeekOrigin.Begin);
        fs.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        return (data, h.Shape);
    }

    /// <summary>
    /// The rows along the first axis from <paramref name="first"/> on, each handed to <paramref name="row"/> (a buffer
    /// reused between calls, of the product of the other dimensions), streamed with 64-bit offsets: files of any size.
    /// Only the rows the file holds whole are read: the header's count or fewer.
    /// </summary>
    /// <returns>The rows read.</returns>
    public static long Rows(string path, long first, Action<long, ReadOnlySpan<double>> row)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        var h = ReadHeader(fs, path);
        long width = h.Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        long held = Extent(path, h).WholeRows;
        var buffer = new double[width];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan());
        fs.Seek(h.DataOffset + first * width * sizeof(double), SeekOrigin.Begin);
        for (long i = first; i < held; i++)
        {
            fs.ReadExactly(bytes);
            row(i, buffer);
        }
        return Math.Max(0, held - first);
    }

    /// <summary>Rows the file holds whole: the header's count, or fewer where the data ends early.</summary>
    public static long RowsHeld(string path) => Extent(path, ReadHeader(path)).WholeRows;
}
