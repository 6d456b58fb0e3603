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
