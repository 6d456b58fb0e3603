namespace LatticeFlow.Analysis;

/// <summary>Statistics of an independence Metropolis chain's accept/reject history.</summary>
/// <param name="RejectionRuns">Runs of rejections closed by an acceptance, by length: how many of each.</param>
/// <param name="LongestRejectionRun">The most proposals in a row that a chain rejected (its leading and trailing runs
/// included: how long the chain held one configuration), of the chain where that run is the largest fraction of the
/// chain's length (with chains of one length, the longest run of any).</param>
/// <param name="ChainProposals">The accept/reject decisions of that chain.</param>
public sealed record AcceptanceStatistics(
    double Acceptance,
    double TauIntFromAcceptance,
    double TauIntFromAcceptanceError,
    int Window,
    double TauIntLowerBound,
    IReadOnlyDictionary<int, long> RejectionRuns,
    double MeanRejectionRun,
    int LongestRejectionRun,
    long ChainProposals)
{
    /// <summary>
    /// Whether some chain held one configuration too long for its errors: <see cref="IsSticky"/> of
    /// <see cref="LongestRejectionRun"/> and <see cref="ChainProposals"/> (the chain with the largest ratio of the two).
    /// </summary>
    public bool Sticky => IsSticky(LongestRejectionRun, ChainProposals);

    /// <summary>
    /// A chain of <paramref name="chainProposals"/> that rejected <paramref name="longestRun"/> proposals in a row is
    /// sticky where chainProposals &lt; 50 × longestRun. An independence sampler leaves x with probability
    /// E_q[min(1, w(y)/w(x))] ≈ 1/w(x) where the normalised weight w = (p/q)/E_q[p/q] is large, so its stay at x is a
    /// geometric draw with mean ≈ w(x), and a run of R rejections says the chain met a w(x) of order R (within a factor of
    /// a few: one draw); its slowest mode relaxes as (1 − 1/w_max)^t (Liu, Statistics and Computing 6 (1996) 113: the
    /// eigenvalues of the independence sampler), so τ_exp is of order R or more. The Γ method's window sums ρ(t) only to
    /// a few τ_int and does not see that tail: the rule asks N ≥ 50 R of the chain as <see cref="GammaResult.Reliable"/>
    /// asks N ≥ 50 τ_int, a heuristic of the same size, not a bound. The run happens within one chain, so its length is
    /// what counts (replicas add data, not lags).
    /// </summary>
    public static bool IsSticky(long longestRun, long chainProposals) => (double)GammaResult.MinimumLength * longestRun > chainProposals;

    /// <summary>What a sticky chain means and what to do, for notes and warnings.</summary>
    public static string StickyNote(long longestRun, long chainProposals) => FormattableString.Invariant(
        $"a chain held one configuration for {longestRun} proposals in a row, of its {chainProposals} (fewer than {GammaResult.MinimumLength} times that): a flow that underweights rare configurations makes the chain stick there (tau_exp of that order), which the Gamma method's window does not see, so errors and tau_int are unreliable; sample longer or train the flow further");
}

/// <summary>
/// For an independence sampler the configuration at step i + τ equals the one at i exactly when the τ
/// proposals between were all rejected, so the fraction of windows of τ consecutive rejections estimates
/// ρ(τ) (Albergo et al. 2019, eq. 16) and τ_int = ½ + Σ_τ ρ(τ), summed with Wolff's automatic window
/// (S = 1.5, <see cref="WolffWindow"/>) and given Wolff's δτ_int. Whatever the observable, τ_int ≥ 1/a − ½ for acceptance a
/// (geometric rejection runs). Chains count as replicas. Undetermined figures are NaN, never 0: the mean rejection run
/// when no run of rejections ended in an acceptance, and τ_int when the window search found no window within half the
/// shortest chain or no such run exists (too few acceptances to see the autocorrelation decay).
/// </summary>
public static class AcceptanceHistory
{
    public static AcceptanceStatistics Analyze(IReadOnlyList<bool[]> accepted, double s = GammaMethod.DefaultS)
    {
        long n = accepted.Sum(a => (long)a.Length);
        long acc = accepted.Sum(a => (long)a.Count(x => x));
        double acceptance = n > 0 ? (double)acc / n : double.NaN;

        var runs = new SortedDictionary<int, long>();
        // The chain whose longest run is the largest fraction of its length (ties: the longer run).
        int longest = 0;
        long longestChain = 0;
        foreach (var chain in accepted)
        {
            int run = 0, chainLongest = 0;
            bool started = false;
            foreach (bool x in chain)
            {
                if (x)
                {
                    if (started && run > 0) runs[run] = runs.GetValueOrDefault(run) + 1;
                    started = true;
                    run = 0;
                }
                else chainLongest = Math.Max(chainLongest, ++run);
            }
            if (chainLongest > 0 && (longestChain == 0 || Worse(chainLongest, chain.Length, longest, longestChain)))
            {
                longest = chainLongest;
                longestChain = chain.Length;
            }
        }
        long runCount = runs.Values.Sum();
        double meanRun = runCount > 0 ? runs.Sum(kv => (double)kv.Key * kv.Value) / runCount : double.NaN;

        int wMax = accepted.Count == 0 ? 0 : accepted.Min(a => a.Length) / 2;
        // rejectedFor[i] = length of the run of rejections starting at i+1, so step i+τ repeats i iff rejectedFor[i] ≥ τ.
        var streaks = accepted.Select(chain =>
        {
            var r = new int[chain.Length];
            int streak = 0;
            for (int i = chain.Length - 1; i >= 0; i--)
            {
                r[i] = streak;
                streak = chain[i] ? 0 : streak + 1;
            }
            return r;
        }).ToArray();
        double tauInt = 0.5;
        int window = wMax;
        bool found = false;
        for (int t = 1; t <= wMax; t++)
        {
            long hits = 0, pairs = 0;
            for (int c = 0; c < streaks.Length; c++)
            {
                var r = streaks[c];
                for (int i = 0; i + t < r.Length; i++)
                    if (r[i] >= t) hits++;
                pairs += r.Length - t;
            }
            double rho = pairs > 0 ? (double)hits / pairs : 0;
            tauInt += rho;
            if (WolffWindow.IsOptimal(tauInt, t, n, s))
            {
                window = t;
                found = true;
                break;
            }
        }
        // With rejections but no rejection run closed by an acceptance, the chain never left one configuration for another: ρ(t) is
        // then ~1 at every lag the chain spans, and the window stops only because it runs out of chain.
        bool determined = found && (runCount > 0 || acc == n);
        if (!determined) tauInt = double.NaN;
        double error = determined ? WolffWindow.TauIntError(tauInt, window, n) : double.NaN;
        return new AcceptanceStatistics(acceptance, tauInt, error, window, 1 / acceptance - 0.5, runs, meanRun, longest, longestChain);
    }

    /// <summary>Whether a run of <paramref name="run"/> in a chain of <paramref name="length"/> is a larger fraction of it than <paramref name="otherRun"/> of <paramref name="otherLength"/> (equal: the longer run).</summary>
    public static bool Worse(long run, long length, long otherRun, long otherLength)
    {
        Int128 a = (Int128)run * otherLength, b = (Int128)otherRun * length;
        return a > b || (a == b && run > otherRun);
    }
}
