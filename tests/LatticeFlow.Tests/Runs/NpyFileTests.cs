using LatticeFlow.Files;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Runs;

public class NpyFileTests
{
    [Fact]
    public void HeaderFollowsTheNpyV1Format()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("a.npy");
        using (var w = NpyWriter.Create(path, 2, 3))
        {
            w.Append([1, 2, 3, 4, 5, 6]);
            w.Append([7, 8, 9, 10, 11, 12]);
        }
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal("NUMPY", System.Text.Encoding.ASCII.GetString(bytes, 1, 5));
        Assert.Equal(1, bytes[6]);
        int headerLength = BitConverter.ToUInt16(bytes, 8);
        Assert.Equal(0, (10 + headerLength) % 64);
        string header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.StartsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 3), }", header);
        Assert.EndsWith("\n", header);
        var (data, shape) = NpyReader.Read(path);
        Assert.Equal([2L, 2, 3], shape);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (double)i), data);
    }

    [Fact]
    public void ReopenCutsRowsAfterTheCheckpoint()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("b.npy");
        using (var w = NpyWriter.Create(path, 2))
            for (int i = 0; i < 5; i++) w.Append([i, -i]);
        using (var w = NpyWriter.Reopen(path, 3, 2))
            w.Append([30, -30]);
        var (data, shape) = NpyReader.Read(path);
        Assert.Equal([4L, 2], shape);
        Assert.Equal(new double[] { 0, 0, 1, -1, 2, -2, 30, -30 }, data);
    }

    [Fact]
    public void TruncatedFileIsAnError()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("c.npy");
        using (var w = NpyWriter.Create(path, 4))
            w.Append([1, 2, 3, 4]);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^8]);
        Assert.Throws<InvalidInputException>(() => NpyReader.Read(path));
    }
}
