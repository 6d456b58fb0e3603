namespace LatticeFlow.Flows;

/// <summary>
/// Learning rate against training progress: constant, or cosine annealing lr(p) = lr · ½(1 + cos(π p)) (Loshchilov and
/// Hutter, arXiv:1608.03983, without restarts), p the fraction of the budget spent: t / T in steps, or, with a time
/// budget (<paramref name="TotalSeconds"/> &gt; 0), whichever of t / T and s / S is further along, so that a run stopped
/// by its time limit has annealed to zero by then instead of stopping at a high rate.
/// </summary>
public sealed record LearningRateSchedule(ScheduleKind Kind, double BaseRate, long TotalSteps, double TotalSeconds = 0)
{
    /// <param name="seconds">Training seconds spent so far (counted across resumes); used only with a time budget.</param>
    public double At(long step, double seconds = 0) => Kind switch
    {
        ScheduleKind.Cosine => BaseRate * 0.5 * (1 + Math.Cos(Math.PI * Progress(step, seconds))),
        _ => BaseRate,
    };

    /// <summary>p ∈ [0, 1]: the fraction of the step budget, or of the time budget where that is further along.</summary>
    public double Progress(long step, double seconds)
    {
        double p = (double)Math.Min(step, TotalSteps) / Math.Max(1, TotalSteps);
        return TotalSeconds > 0 ? Math.Max(p, Math.Min(seconds, TotalSeconds) / TotalSeconds) : p;
    }

    /// <exception cref="InvalidSettingException">Not a schedule's name.</exception>
    public static ScheduleKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "cosine" => ScheduleKind.Cosine,
        _ => throw new InvalidSettingException(SettingNames.Schedule, name, "unknown schedule (constant or cosine)"),
    };
}

public enum ScheduleKind { Constant, Cosine }
