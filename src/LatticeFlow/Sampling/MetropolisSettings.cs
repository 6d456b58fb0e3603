namespace LatticeFlow.Sampling;

/// <summary>
/// Local Metropolis: proposal φ + δ·U(−1, 1), <c>Hits</c> proposals per site per sweep, δ tuned towards
/// <c>TargetAcceptance</c> during thermalisation (0.7 as in Albergo et al. 2019; 0 disables tuning).
/// </summary>
public sealed record MetropolisSettings(double Delta = 1.0, int Hits = 1, double TargetAcceptance = 0.7) : ISamplerSettings
{
    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    public MetropolisSettings Validated()
    {
        if (!double.IsFinite(Delta) || Delta <= 0) throw new InvalidSettingException(SettingNames.Delta, Delta, "the Metropolis step must be a positive number");
        if (Hits < 1) throw new InvalidSettingException(SettingNames.Hits, Hits, "need at least one hit per site");
        if (!(TargetAcceptance >= 0 && TargetAcceptance < 1))
            throw new InvalidSettingException(SettingNames.TargetAcceptance, TargetAcceptance, "must lie in [0, 1) (0: no tuning)");
        return this;
    }

    void ISamplerSettings.Check() => Validated();
}
