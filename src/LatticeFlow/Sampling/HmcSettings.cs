using System.Text.Json.Serialization;

namespace LatticeFlow.Sampling;

/// <summary>
/// HMC (Duane, Kennedy, Pendleton, Roweth, Phys. Lett. B 195 (1987) 216): <c>Steps</c> integrator steps per
/// trajectory (10, as in Albergo et al. 2019), trajectory length tuned towards <c>TargetAcceptance</c> during
/// thermalisation by changing the step size (0 disables tuning).
/// </summary>
public sealed record HmcSettings(double TrajectoryLength = 1.0, int Steps = 10, IntegratorKind Integrator = IntegratorKind.Leapfrog, double TargetAcceptance = 0.7)
    : IJsonOnDeserializing, ISamplerSettings
{
    /// <summary>The default <see cref="TrajectoryJitter"/>: 10 steps become 8 … 12.</summary>
    public const double DefaultTrajectoryJitter = 0.2;

    private double _trajectoryJitter = DefaultTrajectoryJitter;

    /// <summary>
    /// Relative width j of the randomised trajectory length: each trajectory runs n ± d integrator steps of the tuned ε,
    /// uniform over {n − d, …, n + d} with d = round(j n) (at most n − 1), drawn per trajectory from the counter-based
    /// random numbers; 0 gives the fixed length n ε. With a fixed length, a free-field mode whose leapfrog rotation over
    /// one trajectory is a multiple of π comes back to ± itself every trajectory and is never refreshed (Mackenzie,
    /// Phys. Lett. B 226 (1989) 369), and at the tuned ε on small lattices some mode nearly always sits there
    /// (Lx = 4, Ly = 16, m² = 8: G̃(t) 26σ off the exact free field; m² = 1: τ_int up to 660). The draw uses nothing of
    /// the field, so each trajectory stays reversible and area-preserving and the update exact.
    /// Why the number of steps and why 0.2 (measured in docs/results/hmc-trajectory-randomisation.md): jittering ε
    /// instead makes the tuner shrink the mean step to hold the acceptance (ΔH grows like ε⁴), so the mean trajectory
    /// gets shorter and τ_int per unit work grows (L = 14 of Albergo et al.: τ_int(|M|) +6–7 % at j = 0.2–0.3, +21 % at 0.5);
    /// random n leaves ε, the acceptance and the mean cost as they were. With random n, j = 0.2 is the widest of those
    /// measured (0.2, 0.3, 0.5) that leaves τ_int at both Albergo points (L = 6, 14) as with the fixed length (0.3 costs
    /// 4–5 % on |M| and χ₂ at L = 6, 0.5 costs 15 %: shorter trajectories decorrelate less there), and it brings τ_int at the free-field resonances from
    /// up to 660 down to 2–6 (the worst case, a mode turning by π per trajectory: 8 … 12 steps spread its angle by ±0.2π).
    /// </summary>
    public double TrajectoryJitter
    {
        get => _trajectoryJitter;
        init => _trajectoryJitter = value;
    }

    /// <summary>
    /// Settings read back from JSON without <see cref="TrajectoryJitter"/> come from a checkpoint written before the
    /// setting existed, when every trajectory had the same length: they read as jitter 0, which is what that run did
    /// (a key present in the JSON overrides this).
    /// </summary>
    void IJsonOnDeserializing.OnDeserializing() => _trajectoryJitter = 0;

    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    public HmcSettings Validated()
    {
        if (!double.IsFinite(TrajectoryLength) || TrajectoryLength <= 0)
            throw new InvalidSettingException(SettingNames.TrajectoryLength, TrajectoryLength, "must be a positive number");
        if (Steps < 1) throw new InvalidSettingException(SettingNames.MdSteps, Steps, "need at least one integrator step per trajectory");
        if (!(TargetAcceptance >= 0 && TargetAcceptance < 1))
            throw new InvalidSettingException(SettingNames.TargetAcceptance, TargetAcceptance, "must lie in [0, 1) (0: no tuning)");
        if (!(TrajectoryJitter >= 0 && TrajectoryJitter < 1))
            throw new InvalidSettingException(SettingNames.TrajectoryJitter, TrajectoryJitter, "must lie in [0, 1) (0: fixed trajectory length)");
        return this;
    }

    void ISamplerSettings.Check() => Validated();
}
