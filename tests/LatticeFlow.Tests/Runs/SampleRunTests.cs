using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Runs;

public class SampleRunTests
{
    private static SampleSettings Settings(string algorithm, string dir, int threads = 0, bool resume = false) => ShortRun.Settings(algorithm, dir, threads, resume);

    [Fact]
    public void ResumeWithOtherPhysicsIsRefused()
    {
        using var tmp = new TempDir();
        SampleRun.Execute(Settings("metropolis", tmp.Sub("r")), ProgressReporter.Silent, default);
        var changed = Settings("metropolis", tmp.Sub("r"), resume: true) with { Action = Phi4Couplings.Standard(-4, 7) };
        var e = Assert.Throws<ResumeMismatchException>(() => SampleRun.Execute(changed, ProgressReporter.Silent, default));
        Assert.Equal(new SettingDifference("action.lambda", "7", "8"), Assert.Single(e.Differences));
    }

    [Fact]
    public void FilesHaveTheDocumentedShapes()
    {
        using var tmp = new TempDir();
        var s = Settings("hmc", tmp.Sub("r"));
        SampleRun.Execute(s, ProgressReporter.Silent, default);
        Assert.Equal([40L, 2, 6, 4], NpyReader.ReadHeader(RunFiles.Path(s.OutputDirectory, RunFiles.Fields)).Shape);
        Assert.Equal([40L, 2, 4], NpyReader.ReadHeader(RunFiles.Path(s.OutputDirectory, RunFiles.Timeslices)).Shape);
        var lines = File.ReadAllLines(RunFiles.Path(s.OutputDirectory, RunFiles.Measurements));
        Assert.Equal(MeasurementsCsv.Header, lines[0]);
        Assert.Equal(1 + 40 * 2, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Equal(9, l.Split(',').Length));

        // The CSV's M equals the sum of the saved field, and the time slices sum to M.
        var (field, _) = NpyReader.Read(RunFiles.Path(s.OutputDirectory, RunFiles.Fields));
        var (slices, _) = NpyReader.Read(RunFiles.Path(s.OutputDirectory, RunFiles.Timeslices));
        var last = lines[^1].Split(',');
        double m = double.Parse(last[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(m, field.Skip(39 * 48 + 24).Take(24).Sum(), 1e-12);
        Assert.Equal(m, slices.Skip(39 * 8 + 4).Take(4).Sum(), 1e-12);
    }
}
