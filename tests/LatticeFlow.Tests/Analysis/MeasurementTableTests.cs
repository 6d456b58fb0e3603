using LatticeFlow.Analysis;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Analysis;

/// <summary>measurements.csv is read by its config and chain columns, never by row position.</summary>
public class MeasurementTableTests
{
    private static string Run(TempDir tmp)
    {
        string dir = tmp.Sub("run");
        SampleRun.Execute(new SampleSettings
        {
            Algorithm = "metropolis", Geometry = LatticeGeometry.Square(4), Action = Phi4Couplings.Tutorial, OutputDirectory = dir,
            Configurations = 600, Thermalization = 100, Chains = 3, Seed = 5, Device = "cpu",
        }, ProgressReporter.Silent, default);
        return dir;
    }

    private static string Csv(string dir) => RunFiles.Path(dir, RunFiles.Measurements);

    private static void Rewrite(string dir, Func<List<string>, IEnumerable<string>> rows)
    {
        var lines = File.ReadAllLines(Csv(dir)).ToList();
        File.WriteAllLines(Csv(dir), [lines[0], .. rows(lines.Skip(1).ToList())]);
    }

    [Fact]
    public void RowsSortedByChainGiveTheSameAnalysisAndSaySo()
    {
        using var tmp = new TempDir();
        string dir = Run(tmp);
        var before = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        Rewrite(dir, rows => rows.OrderBy(r => int.Parse(r.Split(',')[1])).ThenBy(r => long.Parse(r.Split(',')[0])));
        var after = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        Assert.Equal(before.Chi2, after.Chi2);
        Assert.Equal(before.Point.Primary("absM"), after.Point.Primary("absM"));
        Assert.Contains(after.Notes, n => n.Contains("not in order"));
    }

    [Fact]
    public void ADuplicatedRowIsDroppedAndSaid()
    {
        using var tmp = new TempDir();
        string dir = Run(tmp);
        var before = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        Rewrite(dir, rows => rows.Take(100).Append(rows[40]).Concat(rows.Skip(100)));
        var after = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        Assert.Equal(before.Chi2, after.Chi2);
        Assert.Contains(after.Notes, n => n.Contains("1 duplicate row(s) dropped"));
    }

    [Fact]
    public void AConflictingDuplicateOrAGapIsRefused()
    {
        using var tmp = new TempDir();
        string dir = Run(tmp);
        var original = File.ReadAllLines(Csv(dir));
        Rewrite(dir, rows => rows.Append(string.Join(",", rows[40].Split(',').Select((f, i) => i == 2 ? "99" : f))));
        Assert.Contains("appears twice with different values", Assert.Throws<InvalidInputException>(() => MeasurementTable.Load(dir)).Message);
        File.WriteAllLines(Csv(dir), original);
        Rewrite(dir, rows => rows.Where((_, i) => i != 31)); // config 10, chain 1
        Assert.Contains("config 10 of chain 1 is missing", Assert.Throws<InvalidInputException>(() => MeasurementTable.Load(dir)).Message);
    }

    [Fact]
    public void AnIncompleteLastConfigurationIsLeftOut()
    {
        using var tmp = new TempDir();
        string dir = Run(tmp);
        Rewrite(dir, rows => rows.Take(rows.Count - 1)); // the last configuration has chains 0 and 1 only
        var t = MeasurementTable.Load(dir);
        Assert.Equal(599, t.Configurations);
        Assert.Contains(t.Notes, n => n.Contains("only 2 of 3 chains"));
    }

    [Fact]
    public void ARunWithoutTimeslicesIsAOneLineError()
    {
        using var tmp = new TempDir();
        string dir = Run(tmp);
        File.Delete(RunFiles.Path(dir, RunFiles.Timeslices));
        Assert.Contains("no timeslices.npy", Assert.Throws<InvalidInputException>(() => RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false))).Message);
    }
}
