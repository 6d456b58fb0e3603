using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Runs;
using LatticeFlow.Sweeps;

namespace LatticeFlow.Tests.Sweeps;

/// <summary>
/// Who may write a sweep directory at once: a full sweep locks it whole; a Slurm array task (--point i) locks only its point,
/// beside its sibling tasks, and never beside a full sweep.
/// </summary>
public class SweepLockTests
{
    private const string Two = """
        {"name": "two", "algorithms": ["hmc"], "configs": 50, "therm": 20, "chains": 1, "seed": 3,
         "points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 4, "m2": -4, "lam": 7}]}
        """;

    private static SweepSpec Spec => SweepSpec.Parse(Two, "two.json");

    private static bool Run(string dir, int? point, Func<ProgressReporter> progress) =>
        SweepRunner.Run(Spec, new SweepOptions(dir, "cpu", OnlyPoint: point), TextWriter.Null, progress, default);

    [Fact]
    public void WhileAFullSweepRunsEveryOtherWriterOfItsDirectoryIsRefused()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("sweep");
        var refusals = new List<string>();
        bool checkedOnce = false;
        // The progress factory is called inside the sweep, before each run: the moment to try a second writer.
        Assert.True(Run(dir, null, () =>
        {
            if (!checkedOnce)
            {
                checkedOnce = true;
                foreach (int? other in new int?[] { null, 0, 1 })
                    refusals.Add(Assert.Throws<InvalidInputException>(() => Run(dir, other, () => ProgressReporter.Silent)).Message);
            }
            return ProgressReporter.Silent;
        }));
        Assert.Equal(3, refusals.Count);
        Assert.All(refusals, m => Assert.Contains($"is in use by process {Environment.ProcessId}", m));
        Assert.StartsWith($"{dir} is in use", refusals[0]);
        Assert.StartsWith($"{SweepRunner.PointDirectory(dir, Spec.Points[1])} is in use", refusals[2]);
        Assert.Equal(2, SweepSummary.Aggregate(dir).Count);
    }

    [Fact]
    public void ArrayTasksRunBesideEachOtherButNotBesideAFullSweepOrATwin()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("sweep");
        var inside = new List<string>();
        bool once = false;
        Assert.True(Run(dir, 0, () =>
        {
            if (!once)
            {
                once = true;
                // Task 1 runs to the end while task 0 is at work; task 0 twice and a full sweep are refused.
                Assert.True(Run(dir, 1, () => ProgressReporter.Silent));
                inside.Add(Assert.Throws<InvalidInputException>(() => Run(dir, 0, () => ProgressReporter.Silent)).Message);
                inside.Add(Assert.Throws<InvalidInputException>(() => Run(dir, null, () => ProgressReporter.Silent)).Message);
            }
            return ProgressReporter.Silent;
        }));
        Assert.All(inside, m => Assert.StartsWith($"{SweepRunner.PointDirectory(dir, Spec.Points[0])} is in use by process {Environment.ProcessId}", m));
        Assert.Equal(2, SweepSummary.Aggregate(dir).Count);
        Assert.True(DirectoryLock.HasContent(dir));
        Assert.True(RunMeta.IsComplete(SweepRunner.RunDirectory(dir, Spec.Points[1], "hmc", 0)));
    }
}
