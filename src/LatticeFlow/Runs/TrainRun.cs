using System.Diagnostics;
using System.Text.Json;
using LatticeFlow.Devices;
using LatticeFlow.Files;
using LatticeFlow.Flows;

namespace LatticeFlow.Runs;

/// <summary>
/// A training run in a directory: model.lfm (the trained model), checkpoint.lfm (model and Adam state, every
/// CheckpointSeconds and at the end), history.csv, training.png/svg and train.json (the summary). Stops at the step
/// count, at a target acceptance or ESS, on cancellation (checkpoint written) or on a non-finite loss or gradient
/// (no update applied, the last good checkpoint kept, the reason reported). The run holds its directory's lock
/// (<see cref="DirectoryLock"/>) throughout, so a second writer is refused.
/// </summary>
public static class TrainRun
{
    public const string Model = "model.lfm", Checkpoint = "checkpoint.lfm", Best = "best.lfm", History = "history.csv", Summary = "train.json";

    public static TrainResult Execute(TrainSettings settings, ProgressReporter progress, CancellationToken cancel)
    {
        settings = settings.Validated();
        string dir = settings.OutputDirectory;
        // The device first: a refusal (no CUDA here) must leave no directory behind.
        using var device = DeviceFactory.Create(settings.Device, settings.Threads, settings.Simd);
        using var directoryLock = PrepareDirectory(settings);
        using var flow = new RealNvpFlow(settings.Architecture, device);
        using var trainer = new FlowTrainer(flow, settings.Action, settings.Batch, settings.Adam, settings.Seed, settings.ClipNorm);
        long start = 0;
        double previousSeconds = 0;
        TrainingHistory history;
        CheckLog checks;
        List<ModelAncestor> lineage;
        if (settings.Resume)
        {
            var c = ModelFile.Read(Path.Combine(dir, Checkpoint));
            lineage = c.Header.Lineage;
            ModelFile.CheckMatches(c.Header, settings.Architecture.Lx, settings.Architecture.Ly, settings.Action, Checkpoint);
            if (c.Header.Architecture().Describe() != settings.Architecture.Describe())
                throw new InvalidInputException($"{Checkpoint}: its architecture ({c.Header.Architecture().Describe()}) differs from the one asked for");
            flow.Parameters.SetValues(c.Weights);
            if (c.AdamM is null || c.AdamV is null || c.Header.OptimizerStep is null) throw new InvalidInputException($"{Checkpoint}: no optimiser state (a model file, not a checkpoint)");
            trainer.Optimizer.SetState(c.AdamM, c.AdamV, c.Header.OptimizerStep.Value);
            start = c.Header.OptimizerStep.Value;
            history = TrainingHistory.Read(Path.Combine(dir, History), start, settings.StopWindow);
            checks = CheckLog.Read(Path.Combine(dir, CheckLog.File), start);
            previousSeconds = history.Rows.Count > 0 ? history.Rows[^1][8] : 0;
        }
        else
        {
            history = new TrainingHistory(settings.StopWindow);
            checks = new CheckLog();
            if (settings.InitFrom is string parentPath)
            {
                var parent = settings.InitialModel();
                flow.Parameters.SetValues(parent.Weights);
                var h = parent.Header;
                long parentSteps = h.Training.TryGetValue("steps_done", out var done) && done.TryGetInt64(out long n) ? n : h.OptimizerStep ?? 0;
                lineage = [.. h.Lineage, new ModelAncestor { Path = Path.GetFullPath(parentPath), Sha256 = parent.Checksum, Lx = h.Lx, Ly = h.Ly, Action = h.Action, Steps = parentSteps }];
            }
            else
            {
                flow.InitializeWeights(settings.Seed);
                lineage = [];
            }
        }
        bool symmetrizedChecks = settings.ChecksSymmetrized;
        // The check whose weights best.lfm holds: a resumed run's best check only if best.lfm exists (--keep-best may be
        // new at this resume, and then the earlier checks have no weights to keep).
        FlowCheck? kept = settings.KeepBest && File.Exists(Path.Combine(dir, Best)) ? checks.Best : null;

        var schedule = new LearningRateSchedule(settings.Schedule, settings.LearningRate, settings.Steps, settings.MaxSeconds);
        var clock = Stopwatch.StartNew();
        var lastCheckpoint = Stopwatch.StartNew();
        string status = "complete", message = $"trained {settings.Steps} steps";
        long step = start;
        TrainStepMetrics last = default;
        while (step < settings.Steps)
        {
            if (cancel.IsCancellationRequested) { status = "interrupted"; message = $"interrupted at step {step}"; break; }
            if (settings.MaxSeconds > 0 && previousSeconds + clock.Elapsed.TotalSeconds >= settings.MaxSeconds)
            { status = "time limit"; message = $"time limit of {settings.MaxSeconds:G4} s of training reached at step {step}"; break; }
            var m = trainer.Step(step, schedule.At(step, previousSeconds + clock.Elapsed.TotalSeconds));
            if (!m.Finite)
            {
                status = "diverged";
                message = $"step {step}: the {(double.IsFinite(m.Loss) ? "gradient norm" : "loss")} is {(double.IsFinite(m.Loss) ? m.GradientNorm : m.Loss)}; " +
                    "training stopped without applying it" +
                    (File.Exists(Path.Combine(dir, Checkpoint)) ? $", the last good checkpoint ({Checkpoint}) is kept" : " (no checkpoint was written before)") +
                    "; try a smaller learning rate or gradient-norm clipping";
                break;
            }
            last = m;
            step++;
            history.Add(m, previousSeconds + clock.Elapsed.TotalSeconds);
            double rate = (step - start) / clock.Elapsed.TotalSeconds;
            // With a time budget the run ends when the seconds do: the steps left are what the rate fits into them.
            long planned = settings.MaxSeconds > 0
                ? Math.Min(settings.Steps, step + (long)(rate * Math.Max(0, settings.MaxSeconds - previousSeconds - clock.Elapsed.TotalSeconds)))
                : settings.Steps;
            progress.Report("train", step, planned, rate,
                $"loss {m.Loss:F3}  ESS {history.RunningEss:F3}  acc {history.RunningAcceptance:F3}");
            bool periodic = settings.CheckEvery > 0 && step % settings.CheckEvery == 0;
            if (periodic || TargetCheckDue(step, settings, history))
            {
                var q = FlowEvaluation.Run(flow, settings.Action, settings.TargetCheckProposals, settings.Batch, settings.Seed, symmetrizedChecks);
                var check = new FlowCheck(step, previousSeconds + clock.Elapsed.TotalSeconds, q.Acceptance, q.Ess);
                if (settings.KeepBest && !(kept?.Acceptance >= check.Acceptance))
                {
                    ModelFile.Write(Path.Combine(dir, Best), ModelHeader.For(flow.Architecture, settings.Action) with { Lineage = lineage, Training = Settings(settings) },
                        flow.Parameters.GetValues());
                    kept = check;
                }
                checks.Add(check);
                if (settings.TargetAcceptance is double ta && check.Acceptance >= ta)
                {
                    status = "target reached";
                    message = $"acceptance {check.Acceptance:F3} on {q.Proposals} fresh proposals ≥ {ta} at step {step} (running {history.RunningAcceptance:F3})";
                    break;
                }
            }
            if (history.WindowFull && settings.TargetEss is double te && history.RunningEss >= te)
            { status = "target reached"; message = $"running ESS {history.RunningEss:F3} ≥ {te} at step {step}"; break; }
            if (lastCheckpoint.Elapsed.TotalSeconds >= settings.CheckpointSeconds)
            {
                WriteCheckpoint(dir, settings, flow, trainer, history, checks, lineage);
                lastCheckpoint.Restart();
            }
        }
        progress.Finish();
        double seconds = clock.Elapsed.TotalSeconds;
        double stepsPerSecond = (step - start) / Math.Max(seconds, 1e-9);
        if (status != "diverged")
        {
            WriteCheckpoint(dir, settings, flow, trainer, history, checks, lineage);
        }
        // keep_best: the model is the best check's weights (the checkpoint above keeps the last ones, to resume from).
        var best = kept;
        if (best is not null && status != "diverged") flow.Parameters.SetValues(ModelFile.Read(Path.Combine(dir, Best)).Weights);
        FlowQuality? quality = null;
        if (status != "diverged" && status != "interrupted" && settings.EvaluationProposals > 1)
            quality = FlowEvaluation.Run(flow, settings.Action, settings.EvaluationProposals, settings.Batch, settings.Seed, symmetrizedChecks,
                FlowEvaluation.Draws.Final);
        var result = new TrainResult
        {
            OutputDirectory = dir,
            Status = status,
            Message = message,
            Steps = step,
            Seconds = previousSeconds + seconds,
            StepsPerSecond = stepsPerSecond,
            FinalLoss = last.Loss,
            RunningLoss = history.RunningLoss,
            RunningEss = history.RunningEss,
            RunningAcceptance = history.RunningAcceptance,
            Quality = quality,
            Device = device.Description,
            Simd = device.SimdPath,
            ModelPath = status != "diverged" ? Path.Combine(dir, Model) : null,
            CheckpointPath = File.Exists(Path.Combine(dir, Checkpoint)) ? Path.Combine(dir, Checkpoint) : null,
            Best = best,
        };
        if (result.ModelPath is string modelPath)
            ModelFile.Write(modelPath, Header(settings, flow, result, lineage), flow.Parameters.GetValues());
        history.Write(Path.Combine(dir, History));
        history.Plot(dir);
        JsonFiles.Write(Path.Combine(dir, Summary), Summarize(settings, result));
        return result;
    }

    /// <summary>
    /// Whether the acceptance target is checked on fresh proposals after <paramref name="step"/> steps. The running
    /// acceptance (a 64-proposal chain per batch) overestimates a long chain's (0.30 against 0.24, 0.19, 0.15 at
    /// L = 6, 8, 10 in a sweep), so reaching the target only triggers a check. Symmetrised proposals accept more than
    /// the plain flow that training measures (L = 14: 0.11 against 0.03), so with <see cref="TrainSettings.Symmetrize"/>
    /// the check also runs every fourth window once the running acceptance is a quarter of the target (2048 proposals
    /// with their mirror densities cost ~20 tutorial training steps, ~5 % of four windows). Only multiples of the
    /// window: stateless, so a resumed run checks at the same steps.
    /// </summary>
    public static bool TargetCheckDue(long step, TrainSettings s, TrainingHistory h)
    {
        if (s.TargetAcceptance is not double ta || !h.WindowFull || step % s.StopWindow != 0) return false;
        if (h.RunningAcceptance >= ta) return true;
        return s.Symmetrize && h.RunningAcceptance >= ta / 4 && step % (4L * s.StopWindow) == 0;
    }

    /// <summary>Checks the directory, takes its lock and clears what a fresh run replaces.</summary>
    private static DirectoryLock PrepareDirectory(TrainSettings s)
    {
        string dir = s.OutputDirectory;
        void Check()
        {
            if (s.Resume)
            {
                if (!File.Exists(Path.Combine(dir, Checkpoint)))
                    throw new InvalidSettingException(SettingNames.Resume, "", $"{Path.Combine(dir, Checkpoint)} not found: nothing to resume");
            }
            else if (DirectoryLock.HasContent(dir) && !s.Force)
                throw new InvalidSettingException(SettingNames.OutputDirectory, dir, "exists and is not empty ({force} replaces it, {resume} continues it)");
        }
        // Checked before the lock, so a refusal leaves nothing behind, and again under it, where no other writer can interfere.
        Check();
        var held = DirectoryLock.Acquire(dir);
        try
        {
            Check();
            if (!s.Resume)
                foreach (var f in new[] { Model, Checkpoint, Best, History, CheckLog.File, Summary, "training.png", "training.svg" })
                    File.Delete(Path.Combine(dir, f));
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private static void WriteCheckpoint(string dir, TrainSettings s, RealNvpFlow flow, FlowTrainer trainer, TrainingHistory history, CheckLog checks, List<ModelAncestor> lineage)
    {
        var (m, v) = trainer.Optimizer.GetMoments();
        var header = ModelHeader.For(s.Architecture, s.Action) with
        {
            OptimizerStep = trainer.Optimizer.Step,
            Training = Settings(s),
            Lineage = lineage,
        };
        ModelFile.Write(Path.Combine(dir, Checkpoint), header, flow.Parameters.GetValues(), m, v);
        history.Write(Path.Combine(dir, History));
        checks.Write(Path.Combine(dir, CheckLog.File));
    }

    private static ModelHeader Header(TrainSettings s, RealNvpFlow flow, TrainResult r, List<ModelAncestor> lineage)
    {
        var training = Settings(s);
        // The header records the action itself; "training" holds the settings and results.
        foreach (var p in JsonSerializer.SerializeToElement(Summarize(s, r) with { Action = null }, JsonFiles.Options).EnumerateObject())
            if (p.Value.ValueKind != JsonValueKind.Null) training[p.Name] = p.Value.Clone();
        return ModelHeader.For(flow.Architecture, s.Action) with { Training = training, Lineage = lineage };
    }

    /// <summary>The training settings as stored in model files (and read back by --resume: <see cref="StoredTrainSettings"/>).</summary>
    public static Dictionary<string, JsonElement> Settings(TrainSettings s) => StoredTrainSettings.Of(s).ToEntries();

    private static TrainSummary Summarize(TrainSettings s, TrainResult r) => new()
    {
        Action = s.Action,
        Status = r.Status,
        Message = r.Message,
        StepsDone = r.Steps,
        Seconds = r.Seconds,
        StepsPerSecond = r.StepsPerSecond,
        FinalLoss = r.FinalLoss,
        RunningLoss = r.RunningLoss,
        RunningEss = r.RunningEss,
        RunningAcceptance = r.RunningAcceptance,
        EvalProposals = r.Quality?.Proposals,
        EvalAcceptance = r.Quality?.Acceptance,
        EvalEss = r.Quality?.Ess,
        EvalLoss = r.Quality?.MeanLoss,
        EvalParetoK = r.Quality?.ParetoK,
        EvalSymmetrized = s.ChecksSymmetrized,
        BestAcceptance = r.Best?.Acceptance,
        BestStep = r.Best?.Step,
        Device = r.Device,
        Simd = r.Simd,
        CodeVersion = LatticeFlow.CodeVersion.Current,
        Architecture = s.Architecture.Describe(),
    };
}
