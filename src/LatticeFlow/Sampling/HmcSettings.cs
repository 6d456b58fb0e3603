namespace LatticeFlow.Sampling;

/// <summary>
/// HMC (Duane, Kennedy, Pendleton, Roweth, Phys. Lett. B 195 (1987) 216): <c>Steps</c> integrator steps per
/// trajectory (10, as in Albergo et al. 2019), trajectory length tuned towards <c>TargetAcceptance</c> during
/// thermalisation by changing the step size (0 disables tuning).
/// </summary>
public sealed record HmcSettings(double TrajectoryLength = 1.0, int Steps = 10, IntegratorKind Integrator = IntegratorKind.Leapfrog, double TargetAcceptance = 0.7)
{
    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    public HmcSettings Validated()
    {
        if (!double.IsFinite(TrajectoryLength) || TrajectoryLength <= 0)
            throw new InvalidSettingException(SettingNames.TrajectoryLength, TrajectoryLength, "must be a positive number");
        if (Steps < 1) throw new InvalidSettingException(SettingNames.MdSteps, Steps, "need at least one integrator step per trajectory");
        if (!(TargetAcceptance >= 0 && TargetAcceptance < 1))
            throw new InvalidSettingException(SettingNames.TargetAcceptance, TargetAcceptance, "must lie in [0, 1) (0: no tuning)");
        return this;
    }
}
