using LatticeFlow.Files;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Runs;

public class SampleRunTests
{
    private static SampleSettings Settings(string algorithm, string dir, int threads = 0, bool resume = false) => new()
    {
        Algorithm = algorithm,
        Geometry = new LatticeGeometry(6, 4),
        Couplings = Phi4Couplings.Tutorial,
        OutputDirectory = dir,
        Configurations = 40,
        Thermalization = 30,
        SaveEvery = 3,
        Chains = 2,
        Seed = 2024,
        Device = "cpu",
        Threads = threads,
        Resume = resume,
        Hmc = new HmcSettings(Steps: 4),
    };

    private static readonly string[] DataFiles = [RunFiles.Fields, RunFiles.Measurements, RunFiles.Timeslices];

    private static void AssertSameFiles(string a, string b)
    {
        foreach (var f in DataFiles)
            Assert.True(File.ReadAllBytes(RunFiles.Path(a, f)).SequenceEqual(File.ReadAllBytes(RunFiles.Path(b, f))), $"{f} differs");
    }

    [Theory]
    [InlineData("metropolis")]
    [InlineData("hmc")]
    public void SameSeedGivesByteIdenticalEnsembleForAnyThreadCount(string algorithm)
    {
        using var tmp = new TempDir();
        SampleRun.Execute(Settings(algorithm, tmp.Sub("a"), threads: 2), ProgressReporter.Silent, default);
        SampleRun.Execute(Settings(algorithm, tmp.Sub("b"), threads: 1), ProgressReporter.Silent, default);
        SampleRun.Execute(Settings(algorithm, tmp.Sub("c"), threads: 2), ProgressReporter.Silent, default);
        AssertSameFiles(tmp.Sub("a"), tmp.Sub("b"));
        AssertSameFiles(tmp.Sub("a"), tmp.Sub("c"));
        var other = Settings(algorithm, tmp.Sub("d")) with { Seed = 2025 };
        SampleRun.Execute(other, ProgressReporter.Silent, default);
        Assert.False(File.ReadAllBytes(RunFiles.Path(tmp.Sub("a"), RunFiles.Fields)).SequenceEqual(File.ReadAllBytes(RunFiles.Path(tmp.Sub("d"), RunFiles.Fields))));
    }

    /// <summary>Interrupted during thermalisation (step 10), mid-interval in production (step 50), and at a save (step 60).</summary>
    [Theory]
    [InlineData("metropolis", 10)]
    [InlineData("metropolis", 50)]
    [InlineData("hmc", 10)]
    [InlineData("hmc", 50)]
    [InlineData("hmc", 60)]
    public void ResumeAfterInterruptionEqualsUninterruptedRun(string algorithm, long interruptAt)
    {
        using var tmp = new TempDir();
        var whole = SampleRun.Execute(Settings(algorithm, tmp.Sub("whole")), ProgressReporter.Silent, default);
        Assert.True(whole.Completed);

        using var cts = new CancellationTokenSource();
        var part = SampleRun.Execute(Settings(algorithm, tmp.Sub("split")), ProgressReporter.Silent, cts.Token,
            step => { if (step == interruptAt) cts.Cancel(); });
        Assert.False(part.Completed);
        Assert.Equal(interruptAt, part.Updates);
        Assert.Equal("interrupted", RunMeta.Read(tmp.Sub("split")).Status);

        var rest = SampleRun.Execute(Settings(algorithm, tmp.Sub("split"), resume: true), ProgressReporter.Silent, default);
        Assert.True(rest.Completed);
        Assert.Equal("complete", RunMeta.Read(tmp.Sub("split")).Status);
        AssertSameFiles(tmp.Sub("whole"), tmp.Sub("split"));
        Assert.Equal(whole.Acceptance, rest.Acceptance);
    }

    [Fact]
    public void ResumeWithOtherPhysicsIsRefused()
    {
        using var tmp = new TempDir();
        SampleRun.Execute(Settings("metropolis", tmp.Sub("r")), ProgressReporter.Silent, default);
        var changed = Settings("metropolis", tmp.Sub("r"), resume: true) with { Couplings = Phi4Couplings.Standard(-4, 7) };
        var e = Assert.Throws<ResumeMismatchException>(() => SampleRun.Execute(changed, ProgressReporter.Silent, default));
        Assert.Equal(new SettingDifference("lam", "7", "8"), Assert.Single(e.Differences));
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
