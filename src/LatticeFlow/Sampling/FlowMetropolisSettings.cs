namespace LatticeFlow.Sampling;

/// <summary>
/// The flow-based independence Metropolis–Hastings sampler (Albergo et al. 2019, Sec. III): the trained
/// model, how many proposals per chain one batched launch of the flow generates, and whether proposals are
/// Z2-symmetrised: φ' = ±f(z) with a random sign, proposed with q_sym(φ') = [q(φ') + q(−φ')] / 2, which is exact for
/// any flow and, since S(−φ) = S(φ), never a worse proposal than q (both sectors of M are proposed equally often);
/// it costs one inverse pass of the flow per proposal.
/// </summary>
public sealed record FlowMetropolisSettings(string ModelPath = "", int ProposalBatch = 64, bool Symmetrize = false) : ISamplerSettings
{
    /// <param name="modelWritten">
    /// False where the model is yet to be trained (a sweep checks its flow runs before it trains their models):
    /// then only the settings themselves are checked, not the file.
    /// </param>
    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    public FlowMetropolisSettings Validated(bool modelWritten = true)
    {
        if (ProposalBatch < 1) throw new InvalidSettingException(SettingNames.ProposalBatch, ProposalBatch, "must be ≥ 1");
        if (!modelWritten) return this;
        if (string.IsNullOrWhiteSpace(ModelPath))
            throw new InvalidSettingException(SettingNames.ModelPath, "", "flow MH needs a model file (written by `latticeflow train`)");
        if (!File.Exists(ModelPath)) throw new InvalidSettingException(SettingNames.ModelPath, ModelPath, "no such file");
        return this;
    }

    /// <summary>The settings alone: the model file is checked where it must exist (SampleSettings.Validated).</summary>
    void ISamplerSettings.Check() => Validated(modelWritten: false);

    /// <summary>The model path made absolute: a resume from another working directory finds the same model.</summary>
    ISamplerSettings ISamplerSettings.Canonical() => this with { ModelPath = Path.GetFullPath(ModelPath) };
}
