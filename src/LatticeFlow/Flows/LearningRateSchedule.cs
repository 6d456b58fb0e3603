namespace LatticeFlow.Flows;

/// <summary>Learning rate against step: constant, or cosine annealing lr_t = lr · ½(1 + cos(π t / T)) (Loshchilov and Hutter, arXiv:1608.03983, without restarts).</summary>
public sealed record LearningRateSchedule(ScheduleKind Kind, double BaseRate, long TotalSteps)
{
    public double At(long step) => Kind switch
    {
        ScheduleKind.Cosine => BaseRate * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, TotalSteps) / Math.Max(1, TotalSteps))),
        _ => BaseRate,
    };

    /// <exception cref="InvalidSettingException">Not a schedule's name.</exception>
    public static ScheduleKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "cosine" => ScheduleKind.Cosine,
        _ => throw new InvalidSettingException(SettingNames.Schedule, name, "unknown schedule (constant or cosine)"),
    };
}

public enum ScheduleKind { Constant, Cosine }
