namespace LatticeFlow.Analysis;

/// <summary>A self-normalised importance-sampling estimate and its effective sample size.</summary>
public sealed record ReweightedEstimate(double Value, double Error, double Ess, double EssPerSample, int N);

/// <summary>
/// Reweighting, the estimator independent of the Markov chain: flow proposals are i.i.d. from q, so
/// ⟨O⟩_p = Σ w_i O_i / Σ w_i with w = p/q = exp(log w) up to a constant (Albergo et al. 2019, Sec. IV;
/// Kong's ESS = (Σw)²/Σw²). Derived quantities f(⟨a_1⟩, …) by linear propagation: the error is
/// sqrt(Σ w_i² ψ_i²)/Σ w_i with ψ_i = Σ_α ∂f/∂a_α (a_α,i − â_α), the delta method for a ratio estimator.
/// </summary>
public static class Reweighting
{
    public static ReweightedEstimate Estimate(ReadOnlySpan<double> logW, IReadOnlyList<double[]> primaries, Func<double[], double> f)
    {
        int n = logW.Length, k = primaries.Count;
        double max = double.NegativeInfinity;
        foreach (double l in logW) if (!double.IsNaN(l)) max = Math.Max(max, l);
        var w = new double[n];
        double sw = 0, sw2 = 0;
        for (int i = 0; i < n; i++)
        {
            w[i] = double.IsNaN(logW[i]) ? 0 : Math.Exp(logW[i] - max);
            sw += w[i];
            sw2 += w[i] * w[i];
        }
        var mean = new double[k];
        for (int a = 0; a < k; a++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += w[i] * primaries[a][i];
            mean[a] = s / sw;
        }
        double value = f(mean);
        var gradient = new double[k];
        var point = (double[])mean.Clone();
        for (int a = 0; a < k; a++)
        {
            double h = 1e-6 * Math.Max(Math.Abs(mean[a]), 1e-3);
            point[a] = mean[a] + h;
            double up = f(point);
            point[a] = mean[a] - h;
            double down = f(point);
            point[a] = mean[a];
            gradient[a] = (up - down) / (2 * h);
        }
        double var = 0;
        for (int i = 0; i < n; i++)
        {
            double psi = 0;
            for (int a = 0; a < k; a++) psi += gradient[a] * (primaries[a][i] - mean[a]);
            var += w[i] * w[i] * psi * psi;
        }
        double ess = sw * sw / sw2;
        return new ReweightedEstimate(value, Math.Sqrt(var) / sw, ess, ess / n, n);
    }
}
