using LatticeFlow.Analysis;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Cli;

/// <summary>--traj-jitter: reaches meta.json, comes back from the checkpoint on --resume, and a bad value is one line.</summary>
[Collection(ConsoleCollection.Name)]
public class SampleVerbJitterTests
{
    private static string[] Args(string dir, params string[] more) =>
        ["sample", "--algo", "hmc", "--L", "4", "--m2", "1", "--lam", "0", "--n", "20", "--therm", "10", "--device", "cpu", "--quiet", "--out", dir, .. more];

    [Fact]
    public void TrajectoryJitterIsRecordedAndKeptOnResume()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        Assert.Equal(0, CliRunner.Run(Args(dir, "--traj-jitter", "0.5")).Code);
        Assert.Equal(0.5, RunMeta.Read(dir).Algorithm["trajectory_jitter"].GetDouble());
        Assert.Equal(0, CliRunner.Run("sample", "--out", dir, "--resume", "--n", "30", "--device", "cpu", "--quiet").Code);
        var meta = RunMeta.Read(dir);
        Assert.Equal(30, meta.ConfigsWritten);
        Assert.Equal(0.5, meta.Algorithm["trajectory_jitter"].GetDouble());

        string fresh = tmp.Sub("default");
        Assert.Equal(0, CliRunner.Run(Args(fresh)).Code);
        Assert.Equal(0.2, RunMeta.Read(fresh).Algorithm["trajectory_jitter"].GetDouble());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("-0.1")]
    [InlineData("NaN")]
    public void BadTrajectoryJitterIsOneLineAndNoDirectory(string value)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        var (code, _, err) = CliRunner.Run(Args(dir, "--traj-jitter", value));
        Assert.Equal(2, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("must lie in [0, 1)", line);
        Assert.False(Directory.Exists(dir));
    }
}
