using LatticeFlow.Kernels;

namespace LatticeFlow.Flows;

/// <summary>
/// Importance weights w = p/q of flow proposals, handled as log w = −S − log q (any constant offset), and the
/// independence Metropolis–Hastings decision built on them (Albergo, Kanwar, Shanahan 2019, eq. 9–10). Written once for
/// the sampler, training, evaluation and reweighting. A proposal whose log w is not finite (NaN or ±∞: an overflow in the
/// flow or the action) carries no weight and is never accepted; such proposals are counted as non-finite.
/// </summary>
public static class ImportanceWeights
{
    /// <summary>Whether the proposal's weight could be computed: log w finite.</summary>
    public static bool Usable(double logW) => double.IsFinite(logW);

    /// <summary>
    /// The independence Metropolis–Hastings decision: accept φ' with probability min(1, w'/w), tested in log space as
    /// log u &lt; log w' − log w. A chain without a state yet (log w = −∞) takes any proposal of positive weight.
    /// </summary>
    /// <param name="logWProposal">log w' of the proposal.</param>
    /// <param name="logWCurrent">log w of the chain's configuration; −∞ before the first acceptance.</param>
    /// <param name="uniform">u ∈ (0, 1).</param>
    public static bool Accept(double logWProposal, double logWCurrent, double uniform)
    {
        if (!Usable(logWProposal)) return false;
        return double.IsNegativeInfinity(logWCurrent) || Math.Log(uniform) < logWProposal - logWCurrent;
    }

    /// <summary>
    /// Kong's effective sample size per sample, (Σw)² / (N Σw²) (Albergo et al. 2019, eq. 31), over all N samples;
    /// samples without a usable weight count in N with w = 0. NaN when no sample has positive weight.
    /// </summary>
    public static double EssPerSample(ReadOnlySpan<double> logW)
    {
        var (s1, s2) = Sums(logW);
        return s2 > 0 ? s1 * s1 / (logW.Length * s2) : double.NaN;
    }

    /// <summary>The weights w_i = exp(log w_i − max log w) (0 where not usable) and their largest log w.</summary>
    public static double[] Normalized(ReadOnlySpan<double> logW)
    {
        double max = Max(logW);
        var w = new double[logW.Length];
        for (int i = 0; i < w.Length; i++) w[i] = Usable(logW[i]) && double.IsFinite(max) ? Math.Exp(logW[i] - max) : 0;
        return w;
    }

    private static double Max(ReadOnlySpan<double> logW)
    {
        double max = double.NegativeInfinity;
        foreach (double l in logW)
            if (Usable(l) && l > max) max = l;
        return max;
    }

    private static (double Sum, double SumOfSquares) Sums(ReadOnlySpan<double> logW)
    {
        double max = Max(logW);
        if (!double.IsFinite(max)) return (0, 0);
        double s1 = 0, s2 = 0;
        foreach (double l in logW)
        {
            if (!Usable(l)) continue;
            double w = Math.Exp(l - max);
            s1 += w;
            s2 += w * w;
        }
        return (s1, s2);
    }

    /// <summary>
    /// Accepted proposals of an independence Metropolis chain run through <paramref name="logW"/> in order, continuing
    /// from <paramref name="current"/> (log w of the chain's state; −∞: not started, and the first usable proposal
    /// starts it without counting as an acceptance). Uniforms from Philox (FlowAccept stream), keyed by (index, step).
    /// </summary>
    public static int AcceptedInChain(ReadOnlySpan<double> logW, ref double current, RngKey key, uint step)
    {
        int accepted = 0;
        for (int j = 0; j < logW.Length; j++)
        {
            var u = Philox.Generate(key, (uint)j, 0, step, RngStream.FlowAccept);
            bool started = !double.IsNegativeInfinity(current);
            if (!Accept(logW[j], current, Philox.Uniform53(u.X0, u.X1))) continue;
            current = logW[j];
            if (started) accepted++;
        }
        return accepted;
    }
}
