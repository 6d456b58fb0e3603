using LatticeFlow.Analysis;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Cli;

/// <summary>
/// Every verb refuses before it creates anything (issue 12, item 13): a sweep, a training, an analysis with --out and
/// the demo leave no directory behind when the device, a setting or the output is refused.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class RefusalTests
{
    private const string Ok = """{"algorithms": ["hmc"], "configs": 50, "therm": 10, "points": [{"L": 4, "m2": -4, "lam": 8}]}""";

    private static string Line(string err) => Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void ASweepFileARunWouldRefuseWritesNothingAndTheCorrectedFileRuns()
    {
        using var tmp = new TempDir();
        string file = tmp.Sub("s.json"), outDir = tmp.Sub("s");
        File.WriteAllText(file, Ok.Replace("\"configs\": 50", "\"configs\": 50, \"hmc_steps\": 0"));
        var (code, output, err) = CliRunner.Run("sweep", "--file", file, "--out", outDir, "--device", "cpu", "--quiet");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"latticeflow: error: {file}: hmc_steps = 0: need at least one integrator step per trajectory", Line(err));
        Assert.False(Directory.Exists(outDir));

        File.WriteAllText(file, Ok);
        (code, output, _) = CliRunner.Run("sweep", "--file", file, "--out", outDir, "--device", "cpu", "--quiet");
        Assert.Equal(0, code);
        Assert.Contains("== point 0: L4_m2-4_lam8", output);
        Assert.True(File.Exists(Path.Combine(outDir, "summary.csv")));
    }

    [Theory]
    [InlineData("--point", "1", "--point 1: the sweep has points 0..0")]
    [InlineData("--threads", "-1", "--threads -1: must be ≥ 0 (0: all cores)")]
    [InlineData("--device", "tpu", "--device tpu: unknown device (choose auto, cpu, cuda, opencl, ilgpu-cpu)")]
    [InlineData("--preset", "nope", "--preset nope: unknown preset (choose albergo2019, extended or demo)")]
    public void SweepOptionsAreRefusedBeforeAnythingIsWritten(string option, string value, string expected)
    {
        using var tmp = new TempDir();
        string file = tmp.Sub("s.json"), outDir = tmp.Sub("s");
        File.WriteAllText(file, Ok);
        string[] args = option == "--preset"
            ? ["sweep", "--preset", value, "--out", outDir]
            : option == "--device" ? ["sweep", "--file", file, "--out", outDir, option, value]
            : ["sweep", "--file", file, "--out", outDir, "--device", "cpu", option, value];
        var (code, _, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("latticeflow: error: " + expected, Line(err));
        Assert.False(Directory.Exists(outDir));
    }

    [NoCudaFact]
    public void ASweepOnCudaWithoutAGpuWritesNothing()
    {
        using var tmp = new TempDir();
        string file = tmp.Sub("s.json"), outDir = tmp.Sub("s");
        File.WriteAllText(file, Ok.Replace("[\"hmc\"]", "[\"flow\", \"hmc\"]"));
        var (code, _, err) = CliRunner.Run("sweep", "--file", file, "--out", outDir, "--device", "cuda");
        Assert.Equal(2, code);
        Assert.StartsWith("latticeflow: error: --device cuda: no CUDA device found", Line(err));
        Assert.False(Directory.Exists(outDir));
    }

    [NoCudaFact]
    public void TheDemoOnCudaWithoutAGpuWritesNothing()
    {
        using var tmp = new TempDir();
        var (code, _, err) = CliRunner.Run("demo", "--out", tmp.Sub("runs"), "--device", "cuda");
        Assert.Equal(2, code);
        Assert.StartsWith("latticeflow: error: --device cuda: no CUDA device found", Line(err));
        Assert.False(Directory.Exists(tmp.Sub("runs")));
    }

    [Fact]
    public void TheDemoChecksEveryRunBeforeItStartsAny()
    {
        using var tmp = new TempDir();
        string folder = tmp.Sub("runs");
        var (code, _, err) = CliRunner.Run("demo", "--out", folder, "--n", "0");
        Assert.Equal(2, code);
        Assert.Equal("latticeflow: error: --n 0: the number of configurations must be positive", Line(err));
        Assert.False(Directory.Exists(folder));

        // demo-hmc holds something that is not a run: refused before demo-metropolis is made.
        Directory.CreateDirectory(Path.Combine(folder, "demo-hmc"));
        File.WriteAllText(Path.Combine(folder, "demo-hmc", "notes.txt"), "mine");
        (code, _, err) = CliRunner.Run("demo", "--out", folder, "--n", "10", "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains("demo-hmc exists and is not a LatticeFlow run", Line(err));
        Assert.False(Directory.Exists(Path.Combine(folder, "demo-metropolis")));
    }

    [Fact]
    public void AnalyzeWritesNothingWhenItRefuses()
    {
        using var tmp = new TempDir();
        string run = tmp.Sub("run"), outDir = tmp.Sub("analysis");
        Assert.Equal(0, CliRunner.Run("sample", "--algo", "metropolis", "--L", "4", "--m2", "-4", "--lam", "8", "--n", "20", "--therm", "10",
            "--device", "cpu", "--quiet", "--out", run).Code);
        var (code, _, err) = CliRunner.Run("analyze", run, "--therm", "1000", "--out", outDir);
        Assert.Equal(2, code);
        Assert.Equal("latticeflow: error: --therm 1000: must be shorter than the run (20 configurations)", Line(err));
        Assert.False(Directory.Exists(outDir));

        File.WriteAllText(outDir, "a file");
        (code, _, err) = CliRunner.Run("analyze", run, "--out", outDir);
        Assert.Equal(2, code);
        Assert.Equal($"latticeflow: error: --out {outDir}: is a file", Line(err));
        Assert.False(File.Exists(RunFiles.Path(run, "analysis.json")));
    }
}
