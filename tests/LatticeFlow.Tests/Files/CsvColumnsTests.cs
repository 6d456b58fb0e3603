using System.Globalization;
using LatticeFlow.Files;

namespace LatticeFlow.Tests.Files;

public class CsvColumnsTests
{
    [Fact]
    public void ReadsNumbersInfinitiesNaNsAndEmptyFieldsAndLeavesOutAPartialLastLine()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("a.csv");
        File.WriteAllText(path, "a,b,c\n1,2.5e-3,\n-inf,inf,nan\n3,NaN,\n4,5");
        var csv = CsvColumns.Read(path);
        Assert.Equal(3, csv.Rows);
        Assert.Equal([1.0, double.NegativeInfinity, 3.0], csv.Column("a")!);
        Assert.Equal(0.0025, csv.Column("b")![0]);
        Assert.True(double.IsPositiveInfinity(csv.Column("b")![1]));
        Assert.True(double.IsNaN(csv.Column("b")![2]));
        Assert.False(csv.IsEmpty("c"));
        Assert.Null(csv.Column("d"));
    }

    [Fact]
    public void AFileReadInParallelChunksEqualsTheLineByLineValues()
    {
        // ~12 MB: several chunks on a multi-core machine, with rows straddling the chunk bounds.
        using var tmp = new TempDir();
        string path = tmp.Sub("big.csv");
        var rng = new Random(1);
        var expected = new double[300000];
        using (var w = new StreamWriter(path))
        {
            w.Write("config,chain,x\n");
            for (int i = 0; i < expected.Length; i++)
            {
                expected[i] = rng.NextDouble() * Math.Pow(10, rng.Next(-30, 30));
                w.Write($"{i},0,{expected[i].ToString("R", CultureInfo.InvariantCulture)}\n");
            }
        }
        var csv = CsvColumns.Read(path);
        Assert.Equal(expected.Length, csv.Rows);
        Assert.Equal(expected, csv.Column("x")!);
        Assert.Equal(Enumerable.Range(0, expected.Length).Select(i => (double)i), csv.Column("config")!);
    }

    [Fact]
    public void AMalformedRowIsNamedByItsLine()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("bad.csv");
        File.WriteAllText(path, "a,b\n1,2\n3\n");
        Assert.Contains("line 3: 1 fields, the header has 2", Assert.Throws<InvalidInputException>(() => CsvColumns.Read(path)).Message);
    }
}
