namespace LatticeFlow.Flows;

/// <summary>
/// The Pareto-k̂ diagnostic of importance weights (Vehtari, Simpson, Gelman, Yao, Gabry, "Pareto smoothed importance
/// sampling", arXiv:1507.02646, sec. 3): the shape k of a generalised Pareto distribution fitted to the largest
/// weights w = p/q. Above ~0.7 the weights' variance is effectively infinite: reweighting, and an independence
/// Metropolis chain, are then dominated by rare proposals the flow under-weights, and their error bars (Γ-method
/// included) cannot be trusted, however long the window looks. Fit by Zhang and Stephens (Technometrics 51, 316, 2009),
/// as in the loo package, with its weak prior towards k = 0.5.
/// </summary>
public static class ParetoTail
{
    /// <summary>k̂ above which the paper (sec. 3.2.4) calls the estimates unreliable: min(1 − 1/log₁₀ S, 0.7).</summary>
    public static double Threshold(long samples) => Math.Min(1 - 1 / Math.Log10(Math.Max(samples, 11)), 0.7);

    /// <summary>k̂ of the weights e^{logW}; NaN with fewer than 25 finite weights (a tail of fewer than 5, as loo). Equal weights give k̂ = −∞ (no tail).</summary>
    public static double Shape(ReadOnlySpan<double> logW)
    {
        var finite = new List<double>(logW.Length);
        foreach (double l in logW)
            if (double.IsFinite(l)) finite.Add(l);
        int s = finite.Count;
        finite.Sort();
        // Tail size M = min(S/5, 3√S) (eq. 6); the threshold is the largest weight below the tail.
        int m = (int)Math.Ceiling(Math.Min(0.2 * s, 3 * Math.Sqrt(s)));
        if (m < 5) return double.NaN;
        double top = finite[s - 1], cut = finite[s - m - 1];
        var x = new double[m];
        for (int i = 0; i < m; i++) x[i] = Math.Exp(finite[s - m + i] - top) - Math.Exp(cut - top);
        if (x[m - 1] <= 0) return double.NegativeInfinity;
        return GeneralizedParetoShape(x);
    }

    /// <summary>Zhang–Stephens estimate of the shape of exceedances <paramref name="x"/> (sorted ascending, ≥ 0), with loo's prior.</summary>
    public static double GeneralizedParetoShape(double[] x)
    {
        int n = x.Length;
        const double prior = 3;
        int grid = 30 + (int)Math.Sqrt(n);
        double quartile = x[Math.Max((int)Math.Floor(n / 4.0 + 0.5) - 1, 0)];
        if (quartile <= 0) quartile = x.First(v => v > 0);
        var theta = new double[grid];
        var logLik = new double[grid];
        for (int j = 0; j < grid; j++)
        {
            theta[j] = 1 / x[n - 1] + (1 - Math.Sqrt(grid / (j + 0.5))) / prior / quartile;
            double k = MeanLog1p(x, theta[j]);
            logLik[j] = n * (Math.Log(-theta[j] / k) - k - 1);
        }
        // Posterior mean of θ over the grid: weights ∝ exp(logLik), normalised stably.
        double max = logLik.Max(), norm = 0, thetaHat = 0;
        for (int j = 0; j < grid; j++) norm += Math.Exp(logLik[j] - max);
        for (int j = 0; j < grid; j++) thetaHat += theta[j] * Math.Exp(logLik[j] - max) / norm;
        double shape = MeanLog1p(x, thetaHat);
        return (shape * n + 0.5 * 10) / (n + 10);
    }

    private static double MeanLog1p(double[] x, double theta)
    {
        double sum = 0;
        foreach (double v in x) sum += Math.Log(1 - theta * v);
        return sum / x.Length;
    }
}
