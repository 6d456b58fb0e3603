using System.Globalization;
using LatticeFlow.Files;

namespace LatticeFlow.Tests.Files;

public class CsvLogTests
{
    private const string Header = "config,chain,x";

    private static CsvExtent ScanText(string text, long maxRows = long.MaxValue)
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("m.csv");
        File.WriteAllText(path, text);
        return CsvLog.Scan(path, Header, 2, maxRows);
    }

    [Theory]
    [InlineData("0,0,1\n0,1,2\n1,0,3\n1,1,4\n", 4)]
    [InlineData("0,0,1\n0,1,2\n1,0,3\n1,1,4", 3)]          // the last line has no end: a crash mid-write
    [InlineData("0,0,1\n0,1,2\n1,0,3\n1,1\n", 3)]          // a field missing
    [InlineData("0,0,1\n0,1,2\n1,1,4\n1,0,3\n", 2)]        // chains out of order
    [InlineData("0,0,1\n0,1,2\n0,0,1\n0,1,2\n", 2)]        // a configuration twice
    [InlineData("0,0,1\n0,1,2\n2,0,3\n2,1,4\n", 2)]        // a configuration missing
    [InlineData("0,0,1\n\0\0\0\0\0\n1,0,3\n1,1,4\n", 1)]  // zero bytes where a row was (a power cut)
    [InlineData("0,0,1\n0,1,2\n1,0,,\n", 2)]               // a field too many
    [InlineData("0,0,1\n0,1,2\nx,0,3\n", 2)]
    [InlineData("", 0)]
    public void ScanStopsAtTheFirstRowThatIsNotWholeOrOutOfSequence(string rows, long expected)
    {
        var e = ScanText(Header + "\n" + rows);
        Assert.True(e.HeaderWhole);
        Assert.Equal(expected, e.Rows);
        string kept = (Header + "\n" + rows)[..(int)e.EndOffset];
        Assert.Equal(expected + 1, kept.Count(c => c == '\n'));
        Assert.EndsWith("\n", kept);
    }

    [Fact]
    public void ScanReadsNoFurtherThanAskedAndAcrossItsBuffer()
    {
        var rows = string.Concat(Enumerable.Range(0, 200_000).Select(i => $"{i / 2},{i % 2},{i * 0.5:R}\n"));
        Assert.Equal(200_000, ScanText(Header + "\n" + rows).Rows);
        var e = ScanText(Header + "\n" + rows, 1001);
        Assert.Equal(1001, e.Rows);
        Assert.Equal((Header + "\n" + string.Concat(Enumerable.Range(0, 1001).Select(i => $"{i / 2},{i % 2},{i * 0.5:R}\n"))).Length, e.EndOffset);
    }

    [Fact]
    public void AHeaderCutShortHoldsNothingAndAnotherHeaderIsRefused()
    {
        Assert.Equal(new CsvExtent(false, 0, 0), ScanText("config,ch"));
        Assert.Equal(new CsvExtent(false, 0, 0), ScanText(""));
        using var tmp = new TempDir();
        Assert.Equal(new CsvExtent(false, 0, 0), CsvLog.Scan(tmp.Sub("missing.csv"), Header, 2, 10));
        Assert.Contains("unexpected header", Assert.Throws<InvalidInputException>(() => ScanText("update,chain,x\n0,0,1\n")).Message);
    }

    [Fact]
    public void ReopenCutsAtTheScannedEndAndAppends()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("m.csv");
        File.WriteAllText(path, Header + "\n0,0,1\n0,1,2\n1,0,3\n1,1");
        using (var log = CsvLog.Reopen(path, Header, CsvLog.Scan(path, Header, 2, 2)))
            log.Add(1L).Add(0L).Add(7.5).EndRow();
        Assert.Equal(Header + "\n0,0,1\n0,1,2\n1,0,7.5\n", File.ReadAllText(path));
    }

    /// <summary>Non-finite values as Python writes them, so pandas and numpy read them (float("nan"), float("-inf")).</summary>
    [Fact]
    public void NonFiniteValuesAreWrittenAsPythonReadsThem()
    {
        Assert.Equal("nan", CsvLog.Format(double.NaN));
        Assert.Equal("inf", CsvLog.Format(double.PositiveInfinity));
        Assert.Equal("-inf", CsvLog.Format(double.NegativeInfinity));
        Assert.Equal(0.1, double.Parse(CsvLog.Format(0.1), CultureInfo.InvariantCulture));
        Assert.Equal("-2.5E-300", CsvLog.Format(-2.5e-300));
    }
}
