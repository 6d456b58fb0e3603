using LatticeFlow.Cli;
using LatticeFlow.Files;
using LatticeFlow.Flows;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public class TrainVerbTests
{
    private static string[] Args(string dir, params string[] more) =>
        ["train", "--L", "4", "--m2", "-4", "--lam", "8", "--layers", "2", "--hidden", "4", "--steps", "10", "--eval", "0",
         "--device", "cpu", "--quiet", "--out", dir, .. more];

    /// <summary>Every setting the library refuses is one line naming the option typed and its value; nothing is created.</summary>
    [Theory]
    [InlineData("--layers 0: need at least one coupling layer", "--layers", "0")]
    [InlineData("--kernel 2: the kernel size must be odd and positive (centred convolution)", "--kernel", "2")]
    [InlineData("--kernel 5: larger than the 4x4 lattice", "--kernel", "5")]
    [InlineData("--hidden 0: widths must be between 1 and 1024", "--hidden", "0")]
    [InlineData("--hidden 8,x: expected comma-separated whole numbers, e.g. 8,8", "--hidden", "8,x")]
    [InlineData("--coupling cubic: unknown coupling (affine, additive or spline)", "--coupling", "cubic")]
    [InlineData("--bins 4: only spline couplings have bins (--coupling spline)", "--bins", "4")]
    [InlineData("--bound 3: only spline couplings have an interval (--coupling spline)", "--bound", "3")]
    [InlineData("--activation relu: unknown activation (leaky_relu or tanh)", "--activation", "relu")]
    [InlineData("--batch 1: need at least 2 samples per step", "--batch", "1")]
    [InlineData("--lr 0: must be a positive number", "--lr", "0")]
    [InlineData("--betas 1: β₁ must lie in [0, 1)", "--betas", "1,0.5")]
    [InlineData("--betas 2: β₂ must lie in [0, 1)", "--betas", "0.5,2")]
    [InlineData("--eps 0: must be a positive number", "--eps", "0")]
    [InlineData("--schedule linear: unknown schedule (constant or cosine)", "--schedule", "linear")]
    [InlineData("--clip -1: must be ≥ 0 (0: no clipping)", "--clip", "-1")]
    [InlineData("--steps -1: must be ≥ 0", "--steps", "-1")]
    [InlineData("--target-accept 2: must lie in (0, 1]", "--target-accept", "2")]
    [InlineData("--target-ess 0: must lie in (0, 1]", "--target-ess", "0")]
    [InlineData("--eval -1: must be 0 (no evaluation) or at least 2 (a chain needs two proposals)", "--eval", "-1")]
    [InlineData("--eval 1: must be 0 (no evaluation) or at least 2 (a chain needs two proposals)", "--eval", "1")]
    [InlineData("--lam -1: λ must be ≥ 0 (the action is unbounded below otherwise)", "--lam", "-1")]
    [InlineData("--L 3: lattice sizes must be even and at least 2 (the checkerboard must tile the periodic lattice)", "--L", "3")]
    [InlineData("--device tpu: unknown device (choose auto, cpu, cuda, opencl, ilgpu-cpu)", "--device", "tpu")]
    [InlineData("--threads -2: must be ≥ 0 (0: all cores)", "--threads", "-2")]
    [InlineData("--checkpoint-every 0: must be a positive number of seconds", "--checkpoint-every", "0")]
    [InlineData("--clamp -1: must be ≥ 0 (0: no clamp)", "--clamp", "-1")]
    [InlineData("--check-every -5: must be ≥ 0 (0: only the target checks)", "--check-every", "-5")]
    [InlineData("--max-seconds -1: must be a number of seconds ≥ 0 (0: no limit)", "--max-seconds", "-1")]
    [InlineData("--max-seconds NaN: must be a number of seconds ≥ 0 (0: no limit)", "--max-seconds", "NaN")]
    [InlineData("--init-from /nonexistent/model.lfm: model file not found", "--init-from", "/nonexistent/model.lfm")]
    public void BadSettingsAreOneLineNamingTheOption(string expected, string option, string value)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("flow");
        var args = Args(dir).ToList();
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var (code, _, err) = CliRunner.Run([.. args]);
        Assert.Equal(2, code);
        Assert.Equal("latticeflow: error: " + expected, Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(dir));
    }

    /// <summary>
    /// --max-seconds stops a run of far more steps after that much training, as a completed run ("time limit") with its
    /// final evaluation, whose Pareto k̂ train.json records; a resumed run counts the seconds of its first session.
    /// </summary>
    [Fact]
    public void MaxSecondsStopsTrainingAsACompletedRun()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("flow");
        var args = Args(dir).ToList();
        args[args.IndexOf("--steps") + 1] = "100000000";
        args[args.IndexOf("--eval") + 1] = "500";
        var (code, _, err) = CliRunner.Run([.. args, "--max-seconds", "1"]);
        Assert.True(code == 0, err);
        var t = TrainSummary.Read(Path.Combine(dir, TrainRun.Summary));
        Assert.Equal("time limit", t.Status);
        Assert.InRange(t.Seconds, 1, 30);
        Assert.InRange(t.StepsDone, 1, 100000000 - 1);
        Assert.True(t.EvalParetoK is double k && double.IsFinite(k), $"eval_pareto_k {t.EvalParetoK}");
        Assert.Equal(500, t.EvalProposals);

        (code, _, err) = CliRunner.Run(["train", "--out", dir, "--resume", "--quiet", "--max-seconds", "1.5"]);
        Assert.True(code == 0, err);
        var resumed = TrainSummary.Read(Path.Combine(dir, TrainRun.Summary));
        Assert.Equal("time limit", resumed.Status);
        Assert.InRange(resumed.Seconds, 1.5, 30);
        Assert.InRange(resumed.StepsDone - t.StepsDone, 1, resumed.StepsDone);
    }

    /// <summary>--init-from takes the network from the model unless options say otherwise (which must then match it).</summary>
    [Fact]
    public void InitFromTakesTheModelsNetwork()
    {
        using var tmp = new TempDir();
        string parent = tmp.Sub("L4");
        var (code, _, err) = CliRunner.Run([.. Args(parent), "--coupling", "spline", "--bins", "3", "--equivariant"]);
        Assert.True(code == 0, err);
        string child = tmp.Sub("L6");
        (code, _, err) = CliRunner.Run("train", "--L", "6", "--m2", "-4", "--lam", "7", "--steps", "5", "--eval", "0", "--device", "cpu", "--quiet",
            "--init-from", Path.Combine(parent, TrainRun.Model), "--out", child);
        Assert.True(code == 0, err);
        var header = ModelFile.Read(Path.Combine(child, TrainRun.Model)).Header;
        Assert.Equal((ModelFile.Read(Path.Combine(parent, TrainRun.Model)).Header.Architecture() with { Lx = 6, Ly = 6 }).Describe(), header.Architecture().Describe());
        Assert.Equal((6, 6), (header.Lx, header.Ly));
        (code, _, err) = CliRunner.Run("train", "--L", "6", "--m2", "-4", "--lam", "7", "--steps", "5", "--eval", "0", "--device", "cpu", "--quiet",
            "--init-from", Path.Combine(parent, TrainRun.Model), "--layers", "3", "--out", tmp.Sub("other"));
        Assert.Equal(2, code);
        Assert.Contains("is not the one asked for", err);
    }

    [Fact]
    public void KeepBestWithoutChecksNamesBothOptions()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("flow");
        var (code, _, err) = CliRunner.Run([.. Args(dir), "--keep-best"]);
        Assert.Equal(2, code);
        Assert.Equal("latticeflow: error: --keep-best: needs checks on fresh proposals to compare: set --check-every", Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(dir));
    }

    [Theory]
    [InlineData("--bins 1: a spline needs between 2 and 128 bins", "--bins", "1")]
    [InlineData("--bound 0: the spline's interval [-B, B] needs 0 < B ≤ 1e6", "--bound", "0")]
    [InlineData("--bound -2: the spline's interval [-B, B] needs 0 < B ≤ 1e6", "--bound", "-2")]
    [InlineData("--bound NaN: the spline's interval [-B, B] needs 0 < B ≤ 1e6", "--bound", "NaN")]
    [InlineData("--bound 1E+30: the spline's interval [-B, B] needs 0 < B ≤ 1e6", "--bound", "1e30")]
    public void BadSplineSettingsAreOneLineNamingTheOption(string expected, string option, string value)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("flow");
        var (code, _, err) = CliRunner.Run(Args(dir, "--coupling", "spline", option, value));
        Assert.Equal(2, code);
        Assert.Equal("latticeflow: error: " + expected, Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(dir));
    }

    [NoCudaFact]
    public void CudaWhereThereIsNoneLeavesNoDirectory()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("flow");
        var (code, _, err) = CliRunner.Run("train", "--L", "4", "--m2", "-4", "--lam", "8", "--steps", "10", "--device", "cuda", "--quiet", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("--device cuda: no CUDA device found", err);
        Assert.False(Directory.Exists(dir));
    }

    /// <summary>
    /// `train --resume` takes every option not given from the checkpoint, the stopping targets and --eval included
    /// (README); a checkpoint written before those were stored reads them as not set.
    /// </summary>
    [Fact]
    public void ResumeTakesWhatIsNotGivenFromTheCheckpoint()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("flow");
        Assert.Equal(0, CliRunner.Run(Args(dir, "--target-accept", "0.99", "--target-ess", "0.98", "--seed", "3", "--lr", "0.002",
            "--schedule", "cosine", "--symmetrize", "--batch", "16")).Code);

        var s = new TrainVerb { Out = dir, Resume = true, Steps = 20 }.BuildSettings();
        Assert.Equal((0.99, 0.98, 0L, 3UL, 0.002, ScheduleKind.Cosine, true, 16, 20L),
            (s.TargetAcceptance, s.TargetEss, s.EvaluationProposals, s.Seed, s.LearningRate, s.Schedule, s.Symmetrize, s.Batch, s.Steps));
        Assert.Equal((2, 4), (s.Architecture.Layers, s.Architecture.Hidden.Single()));
        var given = new TrainVerb { Out = dir, Resume = true, TargetAcceptance = 0.5, Evaluation = 7 }.BuildSettings();
        Assert.Equal((0.5, 7L, 10L), (given.TargetAcceptance, given.EvaluationProposals, given.Steps));

        var (code, output, _) = CliRunner.Run("train", "--out", dir, "--resume", "--steps", "20", "--quiet");
        Assert.Equal(0, code);
        Assert.Contains($"model: {Path.Combine(dir, TrainRun.Model)}", output);
        var summary = TrainSummary.Read(Path.Combine(dir, TrainRun.Summary));
        Assert.Equal(20, summary.StepsDone);
        Assert.Null(summary.EvalProposals); // --eval 0 came from the checkpoint; the default would have evaluated 10⁴ proposals

        // A checkpoint from before the targets and --eval were stored.
        string path = Path.Combine(dir, TrainRun.Checkpoint);
        var c = ModelFile.Read(path);
        var training = new Dictionary<string, System.Text.Json.JsonElement>(c.Header.Training);
        foreach (string key in new[] { "target_accept", "target_ess", "eval" }) Assert.True(training.Remove(key), key);
        ModelFile.Write(path, c.Header with { Training = training }, c.Weights, c.AdamM, c.AdamV);
        var old = new TrainVerb { Out = dir, Resume = true }.BuildSettings();
        Assert.Equal(((double?)null, (double?)null, 10000L, 3UL), (old.TargetAcceptance, old.TargetEss, old.EvaluationProposals, old.Seed));
    }

    /// <summary>A diverged training names no model file: it wrote none, and one left from before is not its result.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ADivergedTrainingNamesNoModel(bool resumed)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("flow");
        string[] args;
        if (resumed)
        {
            Assert.Equal(0, CliRunner.Run(Args(dir, "--no-final-tanh")).Code);
            Assert.True(File.Exists(Path.Combine(dir, TrainRun.Model)));
            args = ["train", "--out", dir, "--resume", "--steps", "200", "--lr", "10", "--quiet", "--device", "cpu"];
        }
        else args = Args(dir, "--no-final-tanh", "--lr", "10");
        var before = File.Exists(Path.Combine(dir, TrainRun.Model)) ? File.ReadAllBytes(Path.Combine(dir, TrainRun.Model)) : null;
        var (code, output, _) = CliRunner.Run(args);
        Assert.Equal(1, code);
        Assert.StartsWith("train: diverged: step ", output);
        Assert.DoesNotContain("model:", output);
        Assert.DoesNotContain(TrainRun.Model, output);
        string last = output.Trim().Split('\n')[^1].Trim();
        Assert.Equal(resumed ? $"no model written; the last good checkpoint is {Path.Combine(dir, TrainRun.Checkpoint)} (--resume continues from it)" : "no model written", last);
        Assert.Equal(before, File.Exists(Path.Combine(dir, TrainRun.Model)) ? File.ReadAllBytes(Path.Combine(dir, TrainRun.Model)) : null);
        Assert.Equal("diverged", JsonFiles.Read<TrainSummary>(Path.Combine(dir, TrainRun.Summary), "summary").Status);
    }
}
