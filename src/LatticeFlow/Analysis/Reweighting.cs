using LatticeFlow.Flows;

namespace LatticeFlow.Analysis;

/// <summary>A self-normalised importance-sampling estimate and its effective sample size.</summary>
public sealed record ReweightedEstimate(double Value, double Error, double Ess, double EssPerSample, int N);

/// <summary>
/// Reweighting, the estimator independent of the Markov chain: flow proposals are i.i.d. from q, so
/// ⟨O⟩_p = Σ w_i O_i / Σ w_i with w = p/q = exp(log w) up to a constant (Albergo et al. 2019, Sec. IV;
/// Kong's ESS = (Σw)²/Σw²). Derived quantities f(⟨a_1⟩, …) by linear propagation: the error is
/// sqrt(Σ w_i² ψ_i²)/Σ w_i with ψ_i = Σ_α ∂f/∂a_α (a_α,i − â_α), the delta method for a ratio estimator.
/// Proposals without a usable weight (<see cref="ImportanceWeights.Usable"/>) carry none.
/// </summary>
public static class Reweighting
{
    public static ReweightedEstimate Estimate(ReadOnlySpan<double> logW, IReadOnlyList<double[]> primaries, Func<double[], double> f)
    {
        int n = logW.Length, k = primaries.Count;
        var w = ImportanceWeights.Normalized(logW);
        double sw = 0, sw2 = 0;
        foreach (double x in w) { sw += x; sw2 += x * x; }
        if (!(sw > 0)) return new ReweightedEstimate(double.NaN, double.NaN, 0, 0, n);
        var mean = new double[k];
        for (int a = 0; a < k; a++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) if (w[i] > 0) s += w[i] * primaries[a][i];
            mean[a] = s / sw;
        }
        double value = f(mean);
        var steps = new double[k];
        for (int a = 0; a < k; a++) steps[a] = 1e-6 * Math.Max(Math.Abs(mean[a]), 1e-3);
        var gradient = NumericalGradient.Central(f, mean, steps);
        double var = 0;
        for (int i = 0; i < n; i++)
        {
            if (w[i] == 0) continue;
            double psi = 0;
            for (int a = 0; a < k; a++) psi += gradient[a] * (primaries[a][i] - mean[a]);
            var += w[i] * w[i] * psi * psi;
        }
        double ess = sw * sw / sw2;
        return new ReweightedEstimate(value, Math.Sqrt(var) / sw, ess, ess / n, n);
    }
}
