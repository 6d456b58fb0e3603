namespace LatticeFlow.Sampling;

/// <summary>
/// The flow-based independence Metropolis–Hastings sampler (Albergo et al. 2019, Sec. III): the trained
/// model, and how many proposals per chain one batched launch of the flow generates.
/// </summary>
public sealed record FlowMetropolisSettings(string ModelPath = "", int ProposalBatch = 64)
{
    public FlowMetropolisSettings Validated()
    {
        if (string.IsNullOrWhiteSpace(ModelPath)) throw new InvalidInputException("--algo flow needs --model PATH (a model file written by `latticeflow train`)");
        if (!File.Exists(ModelPath)) throw new InvalidInputException($"--model {ModelPath}: no such file");
        if (ProposalBatch < 1) throw new InvalidInputException($"--proposal-batch {ProposalBatch}: must be ≥ 1");
        return this;
    }
}
