namespace LatticeFlow.Sampling;

/// <summary>
/// The settings record of one sampler of the registry (<see cref="Samplers"/>): serialised whole into checkpoints and
/// compared property by property on a resume, so every property is a setting that must not change within a run.
/// </summary>
public interface ISamplerSettings
{
    /// <summary>Checks these settings alone, reading no file (a sweep checks its runs before their models exist).</summary>
    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    void Check();

    /// <summary>These settings as a checkpoint stores them (paths made absolute): what a resume compares with.</summary>
    ISamplerSettings Canonical() => this;
}
