using LatticeFlow.Analysis;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Runs;

/// <summary>The bytes a run will write, estimated before it starts, against what it writes.</summary>
public class StorageEstimateTests
{
    /// <summary>
    /// The .npy files exactly; the CSV and the whole run at least as large as written (an upper bound, so that a refusal
    /// is never wrong by underestimating) and within a factor of 2 of it (plus the checkpoint's slack).
    /// </summary>
    [Theory]
    [InlineData("metropolis", 8, 6, 1, 200, true)]
    [InlineData("hmc", 4, 4, 3, 150, false)]
    public void EstimateBoundsWhatTheRunWrites(string algorithm, int lx, int ly, int chains, long n, bool fields)
    {
        using var tmp = new TempDir();
        var s = new SampleSettings
        {
            Algorithm = algorithm, Geometry = new LatticeGeometry(lx, ly), Action = Phi4Couplings.Tutorial, OutputDirectory = tmp.Sub("run"),
            Configurations = n, Thermalization = 20, Chains = chains, SaveFields = fields, Device = "cpu",
        };
        var estimate = s.Storage();
        Assert.Equal(0, estimate.Present);
        Assert.Equal(estimate.Total, estimate.Needed);
        Assert.True(SampleRun.Execute(s, ProgressReporter.Silent, default).Completed);
        long Size(string f) => File.Exists(RunFiles.Path(s.OutputDirectory, f)) ? new FileInfo(RunFiles.Path(s.OutputDirectory, f)).Length : 0;
        Assert.Equal(Size(RunFiles.Fields), estimate.Fields);
        Assert.Equal(Size(RunFiles.Timeslices), estimate.Timeslices);
        long written = Size(RunFiles.Fields) + Size(RunFiles.Timeslices) + Size(RunFiles.Measurements) + Size(RunFiles.Checkpoint);
        Assert.InRange(estimate.Total, written, 2.0 * written + 8192);
        Assert.InRange(estimate.Measurements, Size(RunFiles.Measurements), 2.0 * Size(RunFiles.Measurements));
        // A complete run needs nothing more: what its directory holds counts as available.
        Assert.True(s.Storage().Needed < estimate.Total / 2, $"needed {s.Storage().Needed} of {estimate.Total}");
    }

    /// <summary>34 PB of fields is refused by the settings check itself, before SampleRun touches a directory.</summary>
    [Fact]
    public void ARunLargerThanTheFreeSpaceIsRefusedByValidated()
    {
        using var tmp = new TempDir();
        var s = new SampleSettings
        {
            Algorithm = "hmc", Geometry = LatticeGeometry.Square(1024), Action = Phi4Couplings.Tutorial, OutputDirectory = tmp.Sub("run"),
            Configurations = 4_000_000_000, Thermalization = 0,
        };
        var e = Assert.Throws<InvalidSettingException>(() => s.Validated());
        Assert.Equal((SettingNames.Configurations, "4000000000"), (e.Setting, e.Value));
        Assert.Contains("{save_fields}", e.Reason);
        Assert.Throws<InvalidSettingException>(() => SampleRun.Execute(s, ProgressReporter.Silent, default));
        Assert.False(Directory.Exists(s.OutputDirectory));
        var small = s with { SaveFields = false, Configurations = 1000 };
        Assert.Same(small, small.Validated());
    }

    [Theory]
    [InlineData(999, "999 bytes")]
    [InlineData(999_600, "1 MB")]
    [InlineData(65_500_000_000_000, "65.5 TB")]
    [InlineData(812_345_678, "812 MB")]
    public void SizesReadInDecimalUnits(long bytes, string expected) => Assert.Equal(expected, StorageEstimate.Format(bytes));

    /// <summary>A run is worth a warning at 10 GB or more still to write, or at more than half of the free space.</summary>
    [Theory]
    [InlineData(12_000_000_000, 1_000_000_000_000, true)]
    [InlineData(9_000_000_000, 1_000_000_000_000, false)]
    [InlineData(1_000_000_000, 1_500_000_000, true)]
    [InlineData(1_000_000_000, 100_000_000_000, false)]
    public void LargeRunsAreThoseWorthAWarning(long bytes, long free, bool large) =>
        Assert.Equal(large, new StorageEstimate { Fields = bytes, Free = free }.IsLarge);
}
