using LatticeFlow.Kernels;

namespace LatticeFlow.Flows;

/// <summary>
/// Figures of merit of a batch of flow samples with importance weights w = p/q = exp(−S − log q) up to a constant:
/// the effective sample size per configuration ESS = (Σw)² / (N Σw²) (Albergo et al. 2019, eq. 31), and the
/// acceptance of an independence Metropolis chain run through the batch in order (accept φ' with probability
/// min(1, w'/w), in log space).
/// </summary>
public static class ReweightingStats
{
    /// <param name="logW">log w per sample, any constant offset.</param>
    public static double Ess(ReadOnlySpan<double> logW)
    {
        double max = double.NegativeInfinity;
        foreach (double l in logW) max = Math.Max(max, l);
        if (!double.IsFinite(max)) return double.NaN;
        double s1 = 0, s2 = 0;
        foreach (double l in logW)
        {
            double w = Math.Exp(l - max);
            s1 += w;
            s2 += w * w;
        }
        return s1 * s1 / (logW.Length * s2);
    }

    /// <summary>
    /// Accepted proposals of an independence Metropolis chain through <paramref name="logW"/>, starting from
    /// <paramref name="current"/> (log w of the chain's state; NaN: the first proposal is taken as the start).
    /// Uniforms from Philox (FlowAccept stream), keyed by (index, step).
    /// </summary>
    public static int Accepted(ReadOnlySpan<double> logW, ref double current, RngKey key, uint step)
    {
        int accepted = 0;
        for (int j = 0; j < logW.Length; j++)
        {
            if (double.IsNaN(current)) { current = logW[j]; continue; }
            var u = Philox.Generate(key, (uint)j, 0, step, RngStream.FlowAccept);
            if (Math.Log(Philox.Uniform53(u.X0, u.X1)) < logW[j] - current)
            {
                current = logW[j];
                accepted++;
            }
        }
        return accepted;
    }
}
