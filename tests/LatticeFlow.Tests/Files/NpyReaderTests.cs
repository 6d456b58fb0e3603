using LatticeFlow.Files;

namespace LatticeFlow.Tests.Files;

public class NpyReaderTests
{
    [Fact]
    public void RowsBeyondTwoGibibytesAreRead()
    {
        // A sparse file of 2.4 GB ([300 000, 1, 1024] float64): only its last rows are written, so it costs no disk.
        using var tmp = new TempDir();
        string path = tmp.Sub("big.npy");
        const long rows = 300_000, width = 1024;
        using (var fs = new FileStream(path, FileMode.Create))
        {
            fs.Write(NpyWriter.BuildHeader([rows, 1, width]));
            long dataStart = fs.Position;
            fs.SetLength(dataStart + rows * width * sizeof(double));
            fs.Seek(dataStart + (rows - 1) * width * sizeof(double), SeekOrigin.Begin);
            var last = new double[width];
            for (int i = 0; i < width; i++) last[i] = i + 0.5;
            fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(last.AsSpan()));
        }
        Assert.Equal(rows, NpyReader.RowsHeld(path));
        var seen = new List<(long, double, double)>();
        long read = NpyReader.Rows(path, rows - 2, (i, row) => seen.Add((i, row[0], row[^1])));
        Assert.Equal(2, read);
        Assert.Equal([(rows - 2, 0.0, 0.0), (rows - 1, 0.5, width - 0.5)], seen);
    }

    [Fact]
    public void RowsTheFileDoesNotHoldAreNotRead()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("short.npy");
        using (var w = NpyWriter.Create(path, 2, 3))
            for (int i = 0; i < 10; i++) w.Append([i, i, i, i, i, i]);
        using (var fs = new FileStream(path, FileMode.Open)) fs.SetLength(fs.Length - 8);
        Assert.Equal(9, NpyReader.RowsHeld(path));
        Assert.Equal(9, NpyReader.Rows(path, 0, (_, _) => { }));
    }
}
