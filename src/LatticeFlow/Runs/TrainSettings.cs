using LatticeFlow.Flows;
using LatticeFlow.Physics;

namespace LatticeFlow.Runs;

/// <summary>Everything a training run needs; defaults are the tutorial's (arXiv:2101.08176).</summary>
public sealed record TrainSettings
{
    public required FlowArchitecture Architecture { get; init; }
    /// <summary>The action the flow is trained for (φ⁴'s couplings from the CLI and sweeps).</summary>
    public required IActionParameters Action { get; init; }
    public required string OutputDirectory { get; init; }
    public int Batch { get; init; } = 64;
    public long Steps { get; init; } = 2500;
    public double LearningRate { get; init; } = 1e-3;
    public AdamSettings Adam { get; init; } = new();
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;
    /// <summary>Gradient-norm clipping threshold; 0: none.</summary>
    public double ClipNorm { get; init; }
    public ulong Seed { get; init; } = 1;
    public string Device { get; init; } = "auto";
    public int Threads { get; init; }
    /// <summary>Host SIMD twins of the conv kernels on the CPU (auto, off, avx2, avx512): float rounding differs, the flow does not.</summary>
    public string Simd { get; init; } = "auto";
    public bool Resume { get; init; }
    public bool Force { get; init; }
    public double CheckpointSeconds { get; init; } = 30;
    /// <summary>
    /// Stop once the acceptance reaches this: the running acceptance (mean over <see cref="StopWindow"/> steps) triggers
    /// an independence-Metropolis check on <see cref="TargetCheckProposals"/> fresh proposals, which must confirm it.
    /// </summary>
    public double? TargetAcceptance { get; init; }
    /// <summary>Fresh proposals of the independence-Metropolis check that confirms <see cref="TargetAcceptance"/>.</summary>
    public long TargetCheckProposals { get; init; } = 2048;
    /// <summary>Stop once the running batch ESS reaches this.</summary>
    public double? TargetEss { get; init; }
    public int StopWindow { get; init; } = 100;
    /// <summary>
    /// Stop training once this many seconds of training (all sessions of a resumed run together) have passed; 0: no
    /// limit. For budgets in time rather than steps: acceptance against training seconds, a ladder in a wall-clock budget.
    /// </summary>
    public double MaxSeconds { get; init; }
    /// <summary>Fresh proposals for the final independence-Metropolis acceptance (0: skip).</summary>
    public long EvaluationProposals { get; init; } = 10000;
    /// <summary>
    /// The target check and the final evaluation measure the sampler with Z2-symmetrised proposals (flow MH's
    /// --symmetrize); the check also runs at regular steps (<see cref="TrainRun.TargetCheckDue"/>), since the running
    /// acceptance measures the plain flow, which accepts less.
    /// </summary>
    public bool Symmetrize { get; init; }

    /// <summary>
    /// A model file whose weights start this run (training across volumes and couplings): the same network
    /// (<see cref="FlowArchitecture.SameNetworkAs"/>) on any lattice, at any couplings, since conv weights do not depend on
    /// the volume. Its lineage, and itself, are recorded in the new model's header.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>Steps between checks of the acceptance on fresh proposals (checks.csv; 0: only the target checks).</summary>
    public long CheckEvery { get; init; }

    /// <summary>Write as model.lfm the weights whose check found the highest acceptance, not the last ones (needs <see cref="CheckEvery"/>).</summary>
    public bool KeepBest { get; init; }

    /// <summary>Whether the checks measure Z2-symmetrised proposals: asked for, and not redundant (an equivariant flow's q is already even).</summary>
    public bool ChecksSymmetrized => Symmetrize && !Architecture.Equivariant;

    /// <summary>Checks every setting, and the model to start from; writes nothing.</summary>
    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    public TrainSettings Validated()
    {
        Architecture.Validated();
        Adam.Validated();
        if (Batch < 2) throw new InvalidSettingException(SettingNames.Batch, Batch, "need at least 2 samples per step");
        if (Steps < 0) throw new InvalidSettingException(SettingNames.Steps, Steps, "must be ≥ 0");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new InvalidSettingException(SettingNames.LearningRate, LearningRate, "must be a positive number");
        if (!Enum.IsDefined(Schedule)) throw new InvalidSettingException(SettingNames.Schedule, Schedule.ToString(), "unknown schedule (constant or cosine)");
        if (ClipNorm < 0 || !double.IsFinite(ClipNorm)) throw new InvalidSettingException(SettingNames.ClipNorm, ClipNorm, "must be ≥ 0 (0: no clipping)");
        if (TargetAcceptance is double a && !(a > 0 && a <= 1)) throw new InvalidSettingException(SettingNames.TargetAcceptance, a, "must lie in (0, 1]");
        if (TargetEss is double e && !(e > 0 && e <= 1)) throw new InvalidSettingException(SettingNames.TargetEss, e, "must lie in (0, 1]");
        if (TargetCheckProposals < 2) throw new InvalidSettingException(SettingNames.TargetCheckProposals, TargetCheckProposals, "need at least 2 proposals");
        if (StopWindow < 1) throw new InvalidSettingException(SettingNames.StopWindow, StopWindow, "need at least 1 step");
        if (EvaluationProposals < 0 || EvaluationProposals == 1)
            throw new InvalidSettingException(SettingNames.EvaluationProposals, EvaluationProposals, "must be 0 (no evaluation) or at least 2 (a chain needs two proposals)");
        if (Threads < 0) throw new InvalidSettingException(SettingNames.Threads, Threads, "must be ≥ 0 (0: all cores)");
        Devices.Simd.HostSimd.Parse(Simd);
        if (!double.IsFinite(CheckpointSeconds) || CheckpointSeconds <= 0)
            throw new InvalidSettingException(SettingNames.CheckpointSeconds, CheckpointSeconds, "must be a positive number of seconds");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new InvalidSettingException(SettingNames.OutputDirectory, "", "an output directory is required");
        if (CheckEvery < 0) throw new InvalidSettingException(SettingNames.CheckEvery, CheckEvery, "must be ≥ 0 (0: only the target checks)");
        if (!(MaxSeconds >= 0) || double.IsInfinity(MaxSeconds))
            throw new InvalidSettingException(SettingNames.MaxSeconds, MaxSeconds, "must be a number of seconds ≥ 0 (0: no limit)");
        if (KeepBest && CheckEvery == 0)
            throw new InvalidSettingException(SettingNames.KeepBest, "", "needs checks on fresh proposals to compare: set {check_every}");
        if (InitFrom is not null) InitialModel();
        return this;
    }

    /// <summary>The model of <see cref="InitFrom"/>, checked against this run's network.</summary>
    /// <exception cref="InvalidSettingException">No model to start from, a file that is not one, or another network.</exception>
    public ModelFileContents InitialModel()
    {
        string path = InitFrom ?? throw new InvalidOperationException("no init_from");
        if (Resume) throw new InvalidSettingException(SettingNames.InitFrom, path, "a resumed run continues its checkpoint; start a new run ({force}) to begin from another model");
        ModelFileContents model;
        try { model = ModelFile.Read(path); }
        catch (InvalidInputException e) { throw new InvalidSettingException(SettingNames.InitFrom, path, e.Message.StartsWith(path) ? e.Message[(path.Length + 2)..] : e.Message); }
        var theirs = model.Header.Architecture();
        if (!theirs.SameNetworkAs(Architecture))
            throw new InvalidSettingException(SettingNames.InitFrom, path,
                $"its network ({theirs.Describe()}) is not the one asked for ({Architecture.Describe()}); only the lattice and the couplings may differ");
        return model;
    }
}

/// <summary>How a training run ended.</summary>
public sealed record TrainResult
{
    public required string OutputDirectory { get; init; }
    /// <summary>"complete", "target reached", "time limit", "interrupted" or "diverged".</summary>
    public required string Status { get; init; }
    public required string Message { get; init; }
    public required long Steps { get; init; }
    public required double Seconds { get; init; }
    public required double StepsPerSecond { get; init; }
    /// <summary>The last batch's loss.</summary>
    public required double FinalLoss { get; init; }

    /// <summary>The mean loss over the running window (the same steps as <see cref="RunningEss"/>).</summary>
    public double RunningLoss { get; init; } = double.NaN;
    public required double RunningEss { get; init; }
    public required double RunningAcceptance { get; init; }
    public FlowQuality? Quality { get; init; }
    public required string Device { get; init; }
    /// <summary>The host SIMD twins that ran: avx512, avx2 or off (the kernel bodies; always on a GPU).</summary>
    public string Simd { get; init; } = "off";
    /// <summary>The model file this run wrote; null where it wrote none (a diverged run keeps only its last checkpoint).</summary>
    public string? ModelPath { get; init; }
    /// <summary>The checkpoint to resume from; null where the run has none (it diverged before the first one).</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>With keep_best: the best check's acceptance and step, whose weights model.lfm holds.</summary>
    public FlowCheck? Best { get; init; }
    public bool Completed => TrainSummary.IsCompleted(Status);
}

/// <summary>One check of a flow in training: its acceptance and ESS on fresh proposals after <c>Step</c> steps.</summary>
public sealed record FlowCheck(long Step, double Seconds, double Acceptance, double Ess);

/// <summary>
/// The training settings a checkpoint's (and a model's) header stores under "training", read back by `train --resume`
/// for every option not given again. Keys are those of the model format (docs/flow.md); a checkpoint written before
/// target_accept, target_ess and eval were stored reads them as null: not stored, so the defaults apply.
/// </summary>
public sealed record StoredTrainSettings
{
    public int Batch { get; init; }
    public long Steps { get; init; }
    public double Lr { get; init; }
    public double Beta1 { get; init; }
    public double Beta2 { get; init; }
    public double Eps { get; init; }
    public string Schedule { get; init; } = "constant";
    public double Clip { get; init; }
    public ulong Seed { get; init; }
    public bool Symmetrize { get; init; }
    public double? TargetAccept { get; init; }
    public double? TargetEss { get; init; }
    public long? Eval { get; init; }
    public long CheckEvery { get; init; }
    public bool KeepBest { get; init; }
    public double MaxSeconds { get; init; }

    public static StoredTrainSettings Of(TrainSettings s) => new()
    {
        Batch = s.Batch, Steps = s.Steps, Lr = s.LearningRate, Beta1 = s.Adam.Beta1, Beta2 = s.Adam.Beta2, Eps = s.Adam.Epsilon,
        Schedule = s.Schedule.ToString().ToLowerInvariant(), Clip = s.ClipNorm, Seed = s.Seed, Symmetrize = s.Symmetrize,
        TargetAccept = s.TargetAcceptance, TargetEss = s.TargetEss, Eval = s.EvaluationProposals, CheckEvery = s.CheckEvery, KeepBest = s.KeepBest,
        MaxSeconds = s.MaxSeconds,
    };

    /// <summary>The header's "training" entries as stored settings (results stored beside them are ignored).</summary>
    /// <exception cref="InvalidInputException">An entry of the wrong kind (a damaged or foreign header).</exception>
    public static StoredTrainSettings Read(IReadOnlyDictionary<string, System.Text.Json.JsonElement> training, string path)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<StoredTrainSettings>(
                System.Text.Json.JsonSerializer.Serialize(training, Files.JsonFiles.Options), Files.JsonFiles.Options)!;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidInputException($"{path}: unreadable training settings ({e.Path}: {e.InnerException?.Message ?? "not of the stored kind"})");
        }
    }

    /// <summary>The entries as the header stores them.</summary>
    public Dictionary<string, System.Text.Json.JsonElement> ToEntries() =>
        System.Text.Json.JsonSerializer.SerializeToElement(this, Files.JsonFiles.Options).EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.Clone());
}

/// <summary>train.json: how a training run ended and what it measured (numbers not known are null).</summary>
public sealed record TrainSummary
{
    /// <summary>"complete", "target reached", "interrupted" or "diverged".</summary>
    public required string Status { get; init; }
    public required string Message { get; init; }
    public required long StepsDone { get; init; }
    public required double Seconds { get; init; }
    public required double StepsPerSecond { get; init; }
    public double FinalLoss { get; init; } = double.NaN;
    public double RunningLoss { get; init; } = double.NaN;
    public double RunningEss { get; init; } = double.NaN;
    public double RunningAcceptance { get; init; } = double.NaN;
    /// <summary>The final independence-Metropolis evaluation on fresh proposals; null where it was skipped.</summary>
    public long? EvalProposals { get; init; }
    public double? EvalAcceptance { get; init; }
    public double? EvalEss { get; init; }
    public double? EvalLoss { get; init; }
    /// <summary>Pareto k̂ of the evaluation's importance weights p/q (<see cref="Flows.ParetoTail"/>).</summary>
    public double? EvalParetoK { get; init; }
    public bool EvalSymmetrized { get; init; }
    /// <summary>With keep_best: the best acceptance the periodic checks found and the step of those weights (model.lfm's).</summary>
    public double? BestAcceptance { get; init; }
    public long? BestStep { get; init; }
    public required string Device { get; init; }
    /// <summary>The host SIMD twins that ran (avx512, avx2, off); null in files written before it was recorded.</summary>
    public string? Simd { get; init; }
    public required string CodeVersion { get; init; }
    public required string Architecture { get; init; }
    /// <summary>The action trained for, its parameters record written whole (<see cref="Physics.Actions"/>); null in files written before it was recorded.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Physics.IActionParameters? Action { get; init; }

    [System.Text.Json.Serialization.JsonIgnore] public bool Completed => IsCompleted(Status);

    /// <summary>Whether a training that ended with <paramref name="status"/> is finished (its model is the result), not interrupted or diverged.</summary>
    public static bool IsCompleted(string status) => status is "complete" or "target reached" or "time limit";

    public static TrainSummary Read(string path) => Files.JsonFiles.Read<TrainSummary>(path, "training summary");
}
