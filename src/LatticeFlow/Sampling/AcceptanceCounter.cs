namespace LatticeFlow.Sampling;

/// <summary>
/// Accepted trials per chain since the last measurement row, and the updates they came from; a sampler with
/// <c>trialsPerUpdate</c> trials per chain and update (V·hits for Metropolis, 1 for HMC and flow MH) reports
/// acceptance = accepted / (updates · trials). Exact counts in double; kept in checkpoints as a tally.
/// </summary>
public sealed class AcceptanceCounter(int chains, double trialsPerUpdate)
{
    private readonly double[] _accepted = new double[chains];
    private long _updates;

    public void Add(int chain, double accepted) => _accepted[chain] += accepted;

    public void CountUpdate() => _updates++;

    public double TotalAccepted => _accepted.Sum();

    public void Rates(Span<double> perChain)
    {
        double trials = Math.Max(1, _updates) * trialsPerUpdate;
        for (int b = 0; b < _accepted.Length; b++) perChain[b] = _accepted[b] / trials;
    }

    public void Reset()
    {
        Array.Clear(_accepted);
        _updates = 0;
    }

    public AcceptanceTally Tally
    {
        get => new((double[])_accepted.Clone(), _updates);
        set
        {
            value.Accepted.CopyTo(_accepted, 0);
            _updates = value.Updates;
        }
    }
}
