namespace LatticeFlow.Sampling;

/// <summary>
/// The flow-based independence Metropolis–Hastings sampler (Albergo et al. 2019, Sec. III): the trained
/// model, how many proposals per chain one batched launch of the flow generates, and whether proposals are
/// Z2-symmetrised: φ' = ±f(z) with a random sign, proposed with q_sym(φ') = [q(φ') + q(−φ')] / 2, which is exact for
/// any flow and, since S(−φ) = S(φ), never a worse proposal than q (both sectors of M are proposed equally often);
/// it costs one inverse pass of the flow per proposal.
/// </summary>
public sealed record FlowMetropolisSettings(string ModelPath = "", int ProposalBatch = 64, bool Symmetrize = false)
{
    public FlowMetropolisSettings Validated()
    {
        if (string.IsNullOrWhiteSpace(ModelPath)) throw new InvalidInputException("--algo flow needs --model PATH (a model file written by `latticeflow train`)");
        if (!File.Exists(ModelPath)) throw new InvalidInputException($"--model {ModelPath}: no such file");
        if (ProposalBatch < 1) throw new InvalidInputException($"--proposal-batch {ProposalBatch}: must be ≥ 1");
        return this;
    }
}
