using LatticeFlow.Flows;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sweeps;

namespace LatticeFlow.Tests.Runs;

/// <summary>train --init-from (a flow trained on one lattice starts another), --check-every and --keep-best, and sweep ladders.</summary>
public sealed class TrainingAcrossVolumesTests
{
    private static TrainSettings Settings(string dir, int l, long steps, string? initFrom = null) => new()
    {
        Architecture = new FlowArchitecture { Lx = l, Ly = l, Layers = 4, Hidden = [4], Equivariant = true, GlobalScale = true, SpectrumScaling = true },
        Action = Phi4Couplings.Standard(-4, 6.975),
        OutputDirectory = dir,
        Steps = steps,
        LearningRate = 3e-3,
        Device = "cpu",
        EvaluationProposals = 0,
        InitFrom = initFrom,
    };

    [Fact]
    public void AFlowTrainedAtOneSizeStartsAnotherWithItsWeightsAndRecordsItsLineage()
    {
        using var tmp = new TempDir();
        TrainRun.Execute(Settings(tmp.Sub("L4"), 4, 60), ProgressReporter.Silent, default);
        string parent = Path.Combine(tmp.Sub("L4"), TrainRun.Model);
        var saved = ModelFile.Read(parent);

        // No steps: the model written is the parent's weights exactly, on the larger lattice.
        TrainRun.Execute(Settings(tmp.Sub("L6-copy"), 6, 0, parent), ProgressReporter.Silent, default);
        var copy = ModelFile.Read(Path.Combine(tmp.Sub("L6-copy"), TrainRun.Model));
        Assert.Equal(saved.Weights, copy.Weights);
        Assert.Equal(6, copy.Header.Lx);
        var ancestor = Assert.Single(copy.Header.Lineage);
        Assert.Equal((4, 4, 60L, saved.Checksum), (ancestor.Lx, ancestor.Ly, ancestor.Steps, ancestor.Sha256));

        // Training continues from there, and a grandchild carries both ancestors.
        var r = TrainRun.Execute(Settings(tmp.Sub("L6"), 6, 40, parent), ProgressReporter.Silent, default);
        Assert.True(r.Completed);
        var child = ModelFile.Read(Path.Combine(tmp.Sub("L6"), TrainRun.Model));
        Assert.NotEqual(saved.Weights, child.Weights);
        TrainRun.Execute(Settings(tmp.Sub("L8"), 8, 0, Path.Combine(tmp.Sub("L6"), TrainRun.Model)), ProgressReporter.Silent, default);
        var grandchild = ModelFile.Read(Path.Combine(tmp.Sub("L8"), TrainRun.Model));
        Assert.Equal([4, 6], grandchild.Header.Lineage.Select(a => a.Lx));
    }

    [Fact]
    public void InitFromAMissingCorruptOrDifferentModelIsAOneLineError()
    {
        using var tmp = new TempDir();
        TrainRun.Execute(Settings(tmp.Sub("L4"), 4, 5), ProgressReporter.Silent, default);
        string parent = Path.Combine(tmp.Sub("L4"), TrainRun.Model);
        InvalidSettingException Refused(TrainSettings s)
        {
            var e = Assert.Throws<InvalidSettingException>(() => TrainRun.Execute(s, ProgressReporter.Silent, default));
            Assert.False(Directory.Exists(s.OutputDirectory), "a refusal wrote a directory");
            Assert.DoesNotContain('\n', e.Message);
            return e;
        }
        Assert.Equal(SettingNames.InitFrom, Refused(Settings(tmp.Sub("a"), 6, 5, tmp.Sub("nothing.lfm"))).Setting);
        string corrupt = tmp.Sub("corrupt.lfm");
        File.WriteAllBytes(corrupt, [.. File.ReadAllBytes(parent).Take(200)]);
        Assert.Contains("truncated", Refused(Settings(tmp.Sub("b"), 6, 5, corrupt)).Message);
        var other = Settings(tmp.Sub("c"), 6, 5, parent) with { Architecture = Settings("", 6, 0).Architecture with { Hidden = [8] } };
        Assert.Contains("is not the one asked for", Refused(other).Message);
        var keepBest = Settings(tmp.Sub("d"), 6, 5) with { KeepBest = true };
        Assert.Equal(SettingNames.KeepBest, Refused(keepBest).Setting);
    }

    [Fact]
    public void KeepBestWritesTheWeightsOfTheBestCheck()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("best");
        // A learning rate too large to improve steadily: checks go up and down, and the best is not always the last.
        var r = TrainRun.Execute(Settings(dir, 6, 400) with { CheckEvery = 50, KeepBest = true, TargetCheckProposals = 256, LearningRate = 2e-2 },
            ProgressReporter.Silent, default);
        var checks = CheckLog.Read(Path.Combine(dir, CheckLog.File), long.MaxValue).Checks;
        Assert.Equal([50L, 100, 150, 200, 250, 300, 350, 400], checks.Select(c => c.Step));
        var best = checks.MaxBy(c => c.Acceptance)!;
        Assert.Equal(best.Acceptance, r.Best!.Acceptance);
        Assert.Equal(ModelFile.Read(Path.Combine(dir, TrainRun.Best)).Weights, ModelFile.Read(Path.Combine(dir, TrainRun.Model)).Weights);
        Assert.Equal(best.Step, TrainSummary.Read(Path.Combine(dir, TrainRun.Summary)).BestStep);
    }

    /// <summary>--keep-best turned on at a resume: the earlier checks kept no weights, so the first check of the resumed run is kept.</summary>
    [Fact]
    public void KeepBestAddedAtAResumeKeepsTheResumedRunsChecks()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("kb");
        Assert.True(TrainRun.Execute(Settings(dir, 6, 40) with { CheckEvery = 20, TargetCheckProposals = 256 }, ProgressReporter.Silent, default).Completed);
        var r = TrainRun.Execute(Settings(dir, 6, 80) with { CheckEvery = 20, TargetCheckProposals = 256, KeepBest = true, Resume = true },
            ProgressReporter.Silent, default);
        Assert.True(r.Completed, r.Message);
        var resumed = CheckLog.Read(Path.Combine(dir, CheckLog.File), long.MaxValue).Checks.Where(c => c.Step > 40).ToList();
        Assert.Equal([60L, 80], resumed.Select(c => c.Step));
        Assert.Equal(resumed.MaxBy(c => c.Acceptance)!.Step, r.Best!.Step);
        Assert.Equal(ModelFile.Read(Path.Combine(dir, TrainRun.Best)).Weights, ModelFile.Read(Path.Combine(dir, TrainRun.Model)).Weights);
    }

    /// <summary>The final evaluation draws other proposals than the checks (which keep-best chose the model by).</summary>
    [Fact]
    public void TheFinalEvaluationDrawsOtherProposalsThanTheChecks()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("eval");
        var r = TrainRun.Execute(Settings(dir, 6, 40) with { CheckEvery = 40, TargetCheckProposals = 512, EvaluationProposals = 512 }, ProgressReporter.Silent, default);
        var check = Assert.Single(CheckLog.Read(Path.Combine(dir, CheckLog.File), long.MaxValue).Checks);
        // Same weights, same number of proposals: only the draws differ (ESS per proposal is a continuous function of them).
        Assert.NotEqual(check.Ess, r.Quality!.Ess);
        using var device = LatticeFlow.Devices.DeviceFactory.Create("cpu");
        using var flow = RealNvpFlow.Load(Path.Combine(dir, TrainRun.Model), device);
        var again = FlowEvaluation.Run(flow, Settings(dir, 6, 40).Action, 512, 64, Settings(dir, 6, 40).Seed);
        Assert.Equal(check.Ess, again.Ess, 12);
    }

    private const string Ladder = """
        {"name": "ladder", "algorithms": ["flow"], "configs": 200, "therm": 20,
         "flow": {"layers": 4, "hidden": [4], "equivariant": true, "global_scale": true, "max_steps": 60,
                  "target_accept": null, "ladder": true},
         "points": [{"L": 4, "m2": -4, "lam": 6.975}, {"L": 6, "m2": -4, "lam": 6.975}, {"L": 8, "m2": -4, "lam": 6.008}]}
        """;

    [Fact]
    public void ALadderTrainsEachPointFromThePreviousAndResumesAfterAnInterruption()
    {
        using var tmp = new TempDir();
        var spec = SweepSpec.Parse(Ladder, "ladder.json");
        string output = tmp.Sub("sweep");
        // Interrupted as the second point's training starts (its third progress line: train 0, sample 0, train 1): the first
        // point is done, the second has a checkpoint to resume, and resuming takes its weights from there, not from init_from.
        using (var cancel = new CancellationTokenSource())
        {
            int started = 0;
            var progress = () => { if (++started == 3) cancel.Cancel(); return ProgressReporter.Silent; };
            Assert.False(SweepRunner.Run(spec, new SweepOptions(output, "cpu"), TextWriter.Null, progress, cancel.Token));
        }
        string second = SweepRunner.TrainingDirectory(output, spec.Points[1]);
        Assert.Equal("interrupted", TrainSummary.Read(Path.Combine(second, TrainRun.Summary)).Status);
        Assert.True(File.Exists(Path.Combine(second, TrainRun.Checkpoint)));
        Assert.True(SweepRunner.Run(spec, new SweepOptions(output, "cpu"), TextWriter.Null, () => ProgressReporter.Silent, default));
        Assert.Equal(60, TrainSummary.Read(Path.Combine(second, TrainRun.Summary)).StepsDone);
        var models = spec.Points.Select(p => ModelFile.Read(Path.Combine(SweepRunner.TrainingDirectory(output, p), TrainRun.Model))).ToList();
        Assert.Empty(models[0].Header.Lineage);
        Assert.Equal([4], models[1].Header.Lineage.Select(a => a.Lx));
        Assert.Equal([4, 6], models[2].Header.Lineage.Select(a => a.Lx));
        Assert.Equal(models[0].Checksum, models[1].Header.Lineage[0].Sha256);
    }

    /// <summary>
    /// A ladder on a time budget: each point's training ends at its time limit, a finished training, so the next point
    /// starts from it, and running the sweep again trains nothing.
    /// </summary>
    [Fact]
    public void ALadderOnATimeBudgetRunsThroughAndIsDoneAfterwards()
    {
        using var tmp = new TempDir();
        var spec = SweepSpec.Parse(Ladder.Replace("\"max_steps\": 60", "\"max_steps\": 100000000, \"max_seconds\": 0.5"), "ladder.json");
        string output = tmp.Sub("sweep");
        Assert.True(SweepRunner.Run(spec, new SweepOptions(output, "cpu"), TextWriter.Null, () => ProgressReporter.Silent, default));
        foreach (var p in spec.Points)
            Assert.Equal("time limit", TrainSummary.Read(Path.Combine(SweepRunner.TrainingDirectory(output, p), TrainRun.Summary)).Status);
        var log = new StringWriter();
        Assert.True(SweepRunner.Run(spec, new SweepOptions(output, "cpu"), log, () => ProgressReporter.Silent, default));
        Assert.Equal(spec.Points.Count, log.ToString().Split('\n').Count(l => l.Contains("flow training: done before")));
    }

    /// <summary>
    /// A ladder budget (flow key ladder_seconds): each point trains for its volume's share of what the points before it
    /// left, V_i / Σ_{j≥i} V_j of (B − Σ_{j&lt;i} t_j), t_j the seconds their train.json record; the sweep log says so.
    /// </summary>
    [Fact]
    public void ALadderBudgetSharesOutWhatTheEarlierPointsLeft()
    {
        using var tmp = new TempDir();
        const double budget = 8;
        var spec = SweepSpec.Parse(Ladder.Replace("\"max_steps\": 60", $"\"max_steps\": 100000000, \"ladder_seconds\": {budget}"), "ladder.json");
        string output = tmp.Sub("sweep");
        var log = new StringWriter();
        Assert.True(SweepRunner.Run(spec, new SweepOptions(output, "cpu"), log, () => ProgressReporter.Silent, default));
        double[] volumes = [.. spec.Points.Select(p => (double)p.L * p.L)];
        var used = new List<double>();
        for (int i = 0; i < spec.Points.Count; i++)
        {
            string dir = SweepRunner.TrainingDirectory(output, spec.Points[i]);
            var limit = StoredTrainSettings.Read(ModelFile.Read(Path.Combine(dir, TrainRun.Model)).Header.Training, dir).MaxSeconds;
            Assert.Equal(Math.Max(1, (budget - used.Sum()) * volumes[i] / volumes.Skip(i).Sum()), limit, 9);
            var summary = TrainSummary.Read(Path.Combine(dir, TrainRun.Summary));
            Assert.Equal("time limit", summary.Status);
            used.Add(summary.Seconds);
        }
        Assert.Equal(spec.Points.Count, log.ToString().Split('\n').Count(l => l.Contains("s allowed by the ladder budget")));
    }

    /// <summary>A ladder point whose predecessor's training is unfinished (a Slurm task past its time limit) is refused, not started from it.</summary>
    [Fact]
    public void ALadderPointWaitsForAFinishedPredecessor()
    {
        using var tmp = new TempDir();
        var spec = SweepSpec.Parse(Ladder, "ladder.json");
        string output = tmp.Sub("sweep");
        using (var cancel = new CancellationTokenSource())
        {
            int started = 0;
            var progress = () => { if (++started == 1) cancel.Cancel(); return ProgressReporter.Silent; };
            Assert.False(SweepRunner.Run(spec, new SweepOptions(output, "cpu", OnlyPoint: 0), TextWriter.Null, progress, cancel.Token));
        }
        Assert.Equal("interrupted", TrainSummary.Read(Path.Combine(SweepRunner.TrainingDirectory(output, spec.Points[0]), TrainRun.Summary)).Status);
        var e = Assert.Throws<InvalidInputException>(() =>
            SweepRunner.Run(spec, new SweepOptions(output, "cpu", OnlyPoint: 1), TextWriter.Null, () => ProgressReporter.Silent, default));
        Assert.Contains("whose training is interrupted", e.Message);
        Assert.False(Directory.Exists(SweepRunner.TrainingDirectory(output, spec.Points[1])));
    }

    [Fact]
    public void ALadderWithPointsOutOfOrderIsRefused()
    {
        string json = Ladder.Replace("""{"L": 4, "m2": -4, "lam": 6.975}, {"L": 6""", """{"L": 6, "m2": -4, "lam": 6.975}, {"L": 4""");
        var e = Assert.Throws<InvalidInputException>(() => SweepSpec.Parse(json, "ladder.json"));
        Assert.Contains("points[1].L = 4: a ladder (flow.ladder) trains the points in order of L", e.Message);
    }
}
