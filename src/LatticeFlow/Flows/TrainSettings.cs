using LatticeFlow.Physics;

namespace LatticeFlow.Flows;

/// <summary>Everything a training run needs; defaults are the tutorial's (arXiv:2101.08176).</summary>
public sealed record TrainSettings
{
    public required FlowArchitecture Architecture { get; init; }
    public required Phi4Couplings Couplings { get; init; }
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
    /// <summary>Fresh proposals for the final independence-Metropolis acceptance (0: skip).</summary>
    public long EvaluationProposals { get; init; } = 10000;
    /// <summary>
    /// The target check and the final evaluation measure the sampler with Z2-symmetrised proposals (flow MH's
    /// --symmetrize); the check also runs at regular steps (<see cref="TrainRun.TargetCheckDue"/>), since the running
    /// acceptance measures the plain flow, which accepts less.
    /// </summary>
    public bool Symmetrize { get; init; }

    public TrainSettings Validated()
    {
        Architecture.Validated();
        Adam.Validated();
        if (Batch < 2) throw new InvalidInputException($"--batch {Batch}: need at least 2");
        if (Steps < 0) throw new InvalidInputException($"--steps {Steps}: must be ≥ 0");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new InvalidInputException($"--lr {LearningRate}: must be a positive number");
        if (ClipNorm < 0 || !double.IsFinite(ClipNorm)) throw new InvalidInputException($"--clip {ClipNorm}: must be ≥ 0 (0: no clipping)");
        if (TargetAcceptance is double a && !(a > 0 && a <= 1)) throw new InvalidInputException($"--target-accept {a}: must lie in (0, 1]");
        if (TargetEss is double e && !(e > 0 && e <= 1)) throw new InvalidInputException($"--target-ess {e}: must lie in (0, 1]");
        if (TargetCheckProposals < 2) throw new InvalidInputException($"target check: {TargetCheckProposals} proposals, need at least 2");
        if (EvaluationProposals < 0) throw new InvalidInputException($"--eval {EvaluationProposals}: must be ≥ 0");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new InvalidInputException("--out is required");
        return this;
    }
}

/// <summary>How a training run ended.</summary>
public sealed record TrainResult
{
    public required string OutputDirectory { get; init; }
    /// <summary>"complete", "target reached", "interrupted" or "diverged".</summary>
    public required string Status { get; init; }
    public required string Message { get; init; }
    public required long Steps { get; init; }
    public required double Seconds { get; init; }
    public required double StepsPerSecond { get; init; }
    public required double FinalLoss { get; init; }
    public required double RunningEss { get; init; }
    public required double RunningAcceptance { get; init; }
    public FlowQuality? Quality { get; init; }
    public required string Device { get; init; }
    public bool Completed => Status is "complete" or "target reached";
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
    public double RunningEss { get; init; } = double.NaN;
    public double RunningAcceptance { get; init; } = double.NaN;
    /// <summary>The final independence-Metropolis evaluation on fresh proposals; null where it was skipped.</summary>
    public long? EvalProposals { get; init; }
    public double? EvalAcceptance { get; init; }
    public double? EvalEss { get; init; }
    public double? EvalLoss { get; init; }
    public bool EvalSymmetrized { get; init; }
    public required string Device { get; init; }
    public required string CodeVersion { get; init; }
    public required string Architecture { get; init; }

    [System.Text.Json.Serialization.JsonIgnore] public bool Completed => Status is "complete" or "target reached";

    public static TrainSummary Read(string path) => Files.JsonFiles.Read<TrainSummary>(path, "training summary");
}
