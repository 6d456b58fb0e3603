using LatticeFlow.Analysis;
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

    /// <summary>
    /// Bad input is one line on stderr, exit 2, no directory; a setting the library refuses is named as the option
    /// typed, with the value typed (the library itself names settings: DESIGN.md, principle 6).
    /// </summary>
    [Theory]
    [InlineData("--L 5: lattice sizes must be even and at least 2", "--L", "5")]
    [InlineData("--L 0: lattice sizes must be even and at least 2", "--L", "0")]
    [InlineData("--Ly 7: lattice sizes must be even and at least 2", "--Lx", "4")]
    [InlineData("--lam -1: λ must be ≥ 0", "--lam", "-1")]
    [InlineData("--m2 NaN: must be a finite number", "--m2", "NaN")]
    [InlineData("--lam Infinity: must be a finite number", "--lam", "Infinity")]
    [InlineData("--lam inf: not a finite number", "--lam", "inf")]
    [InlineData("--m2 -4: the free field (λ = 0) needs m² > 0", "--lam", "0")]
    [InlineData("--n 0: the number of configurations must be positive", "--n", "0")]
    [InlineData("--n -5: the number of configurations must be positive", "--n", "-5")]
    [InlineData("--therm -1: must be ≥ 0", "--therm", "-1")]
    [InlineData("--save-every 0: must be ≥ 1", "--save-every", "0")]
    [InlineData("--algo gibbs: unknown algorithm (choose metropolis, hmc, flow, cluster)", "--algo", "gibbs")]
    [InlineData("--device tpu: unknown device (choose auto, cpu, cuda, opencl, ilgpu-cpu)", "--device", "tpu")]
    [InlineData("--threads -1: must be ≥ 0 (0: all cores)", "--threads", "-1")]
    [InlineData("--checkpoint-every 0: must be a positive number of seconds", "--checkpoint-every", "0")]
    [InlineData("the hopping form needs both --kappa and --lam-hop", "--kappa", "0.2")]
    [InlineData("--kappa -0.2: the hopping parameter must be > 0", "--lam-hop", "-0.2")]
    [InlineData("--integrator verlet: unknown integrator (leapfrog or omelyan)", "--integrator", "verlet")]
    [InlineData("--md-steps 0: need at least one integrator step per trajectory", "--md-steps", "0")]
    [InlineData("--traj-length -1: must be a positive number", "--traj-length", "-1")]
    [InlineData("--target-accept 1: must lie in [0, 1) (0: no tuning)", "--target-accept", "1")]
    [InlineData("--delta 0: the Metropolis step must be a positive number", "--delta", "0")]
    [InlineData("--hits 0: need at least one hit per site", "--hits", "0")]
    [InlineData("--chains 0: need at least one chain", "--chains", "0")]
    [InlineData("--symmetrize is only for --algo flow", "--symmetrize", "")]
    [InlineData("--clusters -1: must be ≥ 0 (0: Metropolis sweeps alone)", "--clusters", "-1")]
    [InlineData("--clusters is only for --algo cluster", "--clusters", "4")]
    [InlineData("--n 3000000000: too long a run: --therm + --n × --save-every must stay below 2^32 updates", "--n", "3000000000")]
    public void BadInputGivesOneLineErrorAndNoDirectory(string expected, string option, string value)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        string[] args = option switch
        {
            "--Lx" => With(dir, "--L", "<drop>", "--Lx", "4", "--Ly", "7"),
            "--kappa" => With(dir, "--m2", "<drop>", "--lam", "<drop>", "--kappa", "0.2"),
            "--lam-hop" => With(dir, "--m2", "<drop>", "--lam", "<drop>", "--kappa", "-0.2", "--lam-hop", "0.1"),
            "--integrator" or "--md-steps" or "--traj-length" => With(dir, "--algo", "hmc", option, value),
            "--symmetrize" => [.. With(dir), "--symmetrize"],
            "--clusters" when value == "-1" => With(dir, "--algo", "cluster", option, value),
            "--n" when value == "3000000000" => With(dir, "--n", value, "--save-every", "2"),
            _ => With(dir, option, value),
        };
        var (code, output, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("latticeflow: error: " + expected, line);
        Assert.DoesNotMatch(@"\b(md_steps|trajectory_length|target_acceptance|thermalization|save_every|save_fields|output_directory|checkpoint_seconds)\b", line);
        Assert.False(Directory.Exists(dir), "no output directory may be left behind");
    }

    [NoCudaFact]
    public void CudaWhereThereIsNoneIsAnError()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        var (code, _, err) = CliRunner.Run(With(dir, "--device", "cuda"));
        Assert.Equal(2, code);
        Assert.Equal("latticeflow: error: --device cuda: no CUDA device found (is the NVIDIA driver installed?); use cpu or auto", err.Trim());
        Assert.False(Directory.Exists(dir));
    }

    [Theory]
    [InlineData(null, "--model: flow MH needs a model file (written by `latticeflow train`)")]
    [InlineData("missing.lfm", "--model {path}: no such file")]
    [InlineData("corrupt.lfm", "{path}: not a LatticeFlow model file (bad magic; expected \"LFFLOW01\")")]
    public void FlowWithoutAUsableModelIsAnError(string? model, string expected)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        var args = new List<string> { "sample", "--algo", "flow", "--n", "10", "--out", dir, "--quiet" };
        string path = model is null ? "" : tmp.Sub(model);
        if (model is not null)
        {
            if (model == "corrupt.lfm") File.WriteAllBytes(path, [.. Enumerable.Range(1, 44).Select(i => (byte)i)]);
            args.AddRange(["--model", path]);
        }
        var (code, _, err) = CliRunner.Run([.. args]);
        Assert.Equal(2, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("latticeflow: error: " + expected.Replace("{path}", path), line);
        Assert.False(Directory.Exists(dir));
    }

    /// <summary>
    /// A run whose files cannot fit is refused before anything is written, with both figures and the options that
    /// write less (4 × 10⁹ configurations of 1024² sites are 34 PB of fields).
    /// </summary>
    [Fact]
    public void ARunTooLargeForTheDiskIsRefusedUpFront()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        var (code, _, err) = CliRunner.Run(With(dir, "--L", "1024", "--n", "4000000000", "--therm", "0"));
        Assert.Equal(2, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^latticeflow: error: --n 4000000000: the run would write 33\.6 PB \(33\.6 PB of them fields\) and .+ has [0-9.]+ [kMGTP]?B free; " +
            @"skip the fields \(--no-fields\), save every k-th update only \(--save-every k\) or ask for fewer configurations$", line);
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
