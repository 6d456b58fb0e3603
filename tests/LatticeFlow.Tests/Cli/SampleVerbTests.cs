using LatticeFlow.Files;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public class SampleVerbTests
{
    private static readonly string[] Good = ["sample", "--algo", "metropolis", "--L", "4", "--m2", "-4", "--lam", "8", "--n", "20", "--therm", "10", "--device", "cpu", "--quiet"];

    private static string[] With(string dir, params string[] replace)
    {
        var args = new List<string>(Good);
        for (int i = 0; i < replace.Length; i += 2)
        {
            int at = args.IndexOf(replace[i]);
            if (replace[i + 1] == "<drop>") { args.RemoveRange(at, 2); continue; }
            if (at < 0) args.AddRange([replace[i], replace[i + 1]]);
            else args[at + 1] = replace[i + 1];
        }
        args.AddRange(["--out", dir]);
        return [.. args];
    }

    [Theory]
    [InlineData("must be even", "--L", "5")]
    [InlineData("must be even", "--L", "0")]
    [InlineData("λ must be ≥ 0", "--lam", "-1")]
    [InlineData("finite", "--m2", "NaN")]
    [InlineData("finite", "--lam", "Infinity")]
    [InlineData("must be positive", "--n", "0")]
    [InlineData("must be positive", "--n", "-5")]
    [InlineData("unknown algorithm", "--algo", "gibbs")]
    [InlineData("unknown device", "--device", "tpu")]
    [InlineData("odd", "--Lx", "4")]
    [InlineData("--kappa and --lam-hop", "--kappa", "0.2")]
    [InlineData("unknown integrator", "--integrator", "verlet")]
    [InlineData("at least one chain", "--chains", "0")]
    [InlineData("--symmetrize is only for --algo flow", "--symmetrize", "")]
    public void BadInputGivesOneLineErrorAndNoDirectory(string expected, string option, string value)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        string[] args = option switch
        {
            "--Lx" => With(dir, "--L", "<drop>", "--Lx", "4", "--Ly", "7"),
            "--kappa" => With(dir, "--m2", "<drop>", "--lam", "<drop>", "--kappa", "0.2"),
            "--integrator" => With(dir, "--algo", "hmc", "--integrator", "verlet"),
            "--symmetrize" => [.. With(dir), "--symmetrize"],
            _ => With(dir, option, value),
        };
        var (code, _, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("latticeflow: error:", line);
        Assert.Contains(expected == "odd" ? "must be even" : expected, line);
        Assert.False(Directory.Exists(dir), "no output directory may be left behind");
    }

    [NoCudaFact]
    public void CudaWhereThereIsNoneIsAnError()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        var (code, _, err) = CliRunner.Run(With(dir, "--device", "cuda"));
        Assert.Equal(2, code);
        Assert.Contains("no CUDA device", err);
        Assert.False(Directory.Exists(dir));
    }

    [Theory]
    [InlineData(null, "needs --model")]
    [InlineData("missing.lfm", "no such file")]
    [InlineData("corrupt.lfm", "not a LatticeFlow model file (bad magic")]
    public void FlowWithoutAUsableModelIsAnError(string? model, string expected)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        var args = new List<string> { "sample", "--algo", "flow", "--n", "10", "--out", dir, "--quiet" };
        if (model is not null)
        {
            string path = tmp.Sub(model);
            if (model == "corrupt.lfm") File.WriteAllBytes(path, [.. Enumerable.Range(1, 44).Select(i => (byte)i)]);
            args.AddRange(["--model", path]);
        }
        var (code, _, err) = CliRunner.Run([.. args]);
        Assert.Equal(2, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("latticeflow: error:", line);
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void ExistingDirectoryNeedsResumeOrForce()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        Assert.Equal(0, CliRunner.Run(With(dir)).Code);
        var before = File.ReadAllBytes(RunFiles.Path(dir, RunFiles.Fields));
        var (code, _, err) = CliRunner.Run(With(dir, "--seed", "5"));
        Assert.Equal(2, code);
        Assert.Contains("--resume", err);
        Assert.Equal(before, File.ReadAllBytes(RunFiles.Path(dir, RunFiles.Fields)));

        var forced = new List<string>(With(dir, "--seed", "5")) { "--force" };
        Assert.Equal(0, CliRunner.Run([.. forced]).Code);
        Assert.NotEqual(before, File.ReadAllBytes(RunFiles.Path(dir, RunFiles.Fields)));
    }

    [Fact]
    public void ForceRefusesToDeleteSomethingThatIsNotARun()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("precious");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "thesis.tex"), "42");
        var (code, _, err) = CliRunner.Run([.. With(dir), "--force"]);
        Assert.Equal(2, code);
        Assert.Contains("not a LatticeFlow run", err);
        Assert.True(File.Exists(Path.Combine(dir, "thesis.tex")));
    }

    [Theory]
    [InlineData("other physics", "--lam", "7")]
    [InlineData("corrupt", null, null)]
    [InlineData("no checkpoint", null, null)]
    public void BadResumeIsAnError(string kind, string? option, string? value)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        Assert.Equal(0, CliRunner.Run(With(dir)).Code);
        string ck = RunFiles.Path(dir, RunFiles.Checkpoint);
        if (kind == "corrupt") File.WriteAllBytes(ck, File.ReadAllBytes(ck)[..100]);
        if (kind == "no checkpoint") File.Delete(ck);
        string[] args = option is null ? [.. With(dir), "--resume"] : [.. With(dir, option, value!), "--resume"];
        var (code, _, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(kind switch { "other physics" => "other parameters", "corrupt" => "corrupt or truncated", _ => "no checkpoint" }, err);
    }

    [Fact]
    public void ResumeExtendsACompletedRun()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        Assert.Equal(0, CliRunner.Run(With(dir)).Code);
        var (code, output, _) = CliRunner.Run("sample", "--out", dir, "--resume", "--n", "30", "--quiet", "--device", "cpu");
        Assert.Equal(0, code);
        Assert.Contains("configurations 30/30", output);
        Assert.Equal([30L, 4, 4], NpyReader.ReadHeader(RunFiles.Path(dir, RunFiles.Fields)).Shape);
    }
}
