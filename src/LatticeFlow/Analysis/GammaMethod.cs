using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace LatticeFlow.Analysis;

/// <summary>
/// Wolff's Γ-method (U. Wolff, "Monte Carlo errors with less errors", Comput. Phys. Commun. 156 (2004)
/// 143, hep-lat/0306017), as in his UWerr: the autocorrelation function of the (projected) fluctuations
/// by FFT, the automatic window W with parameter S (eq. 52), the bias correction of Γ (eq. 49), the error
/// of the error (eq. 44) and δτ_int = 2τ_int·sqrt((W − τ_int + ½)/N) (eq. 42). Derived quantities use
/// linear error propagation of the means (eq. 19–22): one analysis of the projected series
/// Σ_α f_α (a_α − ā_α), which keeps the cross-correlations of the primaries and needs no blocking.
/// Replicas (independent chains) enter Γ(t) as separate sums (eq. 31), never as one long chain.
/// </summary>
public static class GammaMethod
{
    public const double DefaultS = 1.5;

    public static GammaResult Analyze(IReadOnlyList<double> series, double s = DefaultS) =>
        Analyze([series as double[] ?? [.. series]], s);

    public static GammaResult Analyze(IReadOnlyList<double[]> replicas, double s = DefaultS) =>
        Derived([.. replicas.Select(r => new[] { r })], a => a[0], s);

    /// <summary>f(⟨a_1⟩, …, ⟨a_k⟩); replicas[r][α] is the series of primary α in replica r.</summary>
    public static GammaResult Derived(IReadOnlyList<double[][]> replicas, Func<double[], double> f, double s = DefaultS)
    {
        var projected = Project(replicas, f, out double value, out int n);
        int wMax = projected.Min(p => p.Length) / 2;
        return Window(value, new GammaFunction(projected, n, wMax), n, wMax, s);
    }

    /// <summary>
    /// The Γ-method with its curves for plots: ρ(t) = Γ(t)/Γ(0) with Wolff's error estimate (eq. 33, truncated at
    /// t + W as in UWerr) and τ_int(W) = ½ + Σ_{t=1}^{W} ρ(t), for t and W up to a few times the chosen window.
    /// </summary>
    public static (GammaResult Result, GammaCurves Curves) DerivedWithCurves(IReadOnlyList<double[][]> replicas, Func<double[], double> f, double s = DefaultS)
    {
        var projected = Project(replicas, f, out double value, out int n);
        int wMax = projected.Min(p => p.Length) / 2;
        var gamma = new GammaFunction(projected, n, wMax);
        var result = Window(value, gamma, n, wMax, s);
        int tMax = Math.Min(wMax, Math.Max(3 * result.Window + 10, 20));
        int padded = Math.Min(wMax, tMax + result.Window + 1);
        var rho = new double[padded + 1];
        double g0 = gamma[0];
        for (int t = 0; t <= padded; t++) rho[t] = g0 > 0 ? gamma[t] / g0 : 0;
        double Rho(int t) => t <= padded ? rho[t] : 0;
        var rhoError = new double[tMax + 1];
        var tauByWindow = new double[tMax + 1];
        tauByWindow[0] = 0.5;
        for (int t = 1; t <= tMax; t++)
        {
            double sum = 0;
            for (int k = Math.Max(1, t - result.Window); k <= t + result.Window; k++)
            {
                double term = Rho(k + t) + Rho(Math.Abs(k - t)) - 2 * Rho(t) * Rho(k);
                sum += term * term;
            }
            rhoError[t] = Math.Sqrt(sum / n);
            tauByWindow[t] = tauByWindow[t - 1] + rho[t];
        }
        return (result, new GammaCurves(rho[..(tMax + 1)], rhoError, tauByWindow));
    }

    private static double[][] Project(IReadOnlyList<double[][]> replicas, Func<double[], double> f, out double value, out int n)
    {
        if (replicas.Count == 0) throw new ArgumentException("no data");
        int primaries = replicas[0].Length;
        foreach (var r in replicas)
        {
            if (r.Length != primaries) throw new ArgumentException("every replica needs every primary");
            foreach (var a in r)
                if (a.Length != r[0].Length) throw new ArgumentException("primaries of a replica must have equal length");
        }
        n = replicas.Sum(r => r[0].Length);
        if (n < 2) throw new InvalidInputException("the Γ-method needs at least 2 measurements");
        var mean = new double[primaries];
        for (int alpha = 0; alpha < primaries; alpha++)
        {
            double sum = 0;
            foreach (var r in replicas)
                foreach (double v in r[alpha]) sum += v;
            mean[alpha] = sum / n;
        }
        value = f(mean);
        var gradient = Gradient(replicas, mean, f, n);
        // The projected fluctuations δ_i = Σ_α f_α (a_α,i − ā_α) per replica (Wolff eq. 19–20).
        return [.. replicas.Select(r =>
        {
            var d = new double[r[0].Length];
            for (int alpha = 0; alpha < primaries; alpha++)
            {
                double g = gradient[alpha];
                if (g == 0) continue;
                var a = r[alpha];
                for (int i = 0; i < d.Length; i++) d[i] += g * (a[i] - mean[alpha]);
            }
            return d;
        })];
    }

    /// <summary>Automatic windowing (Wolff eq. 50–52) and the bias-corrected error (eq. 49).</summary>
    private static GammaResult Window(double value, GammaFunction gamma, int n, int wMax, double s)
    {
        double g0 = gamma[0];
        if (!(g0 > 0))
            return new GammaResult(value, 0, 0, 0.5, 0, 0, n, n, true);
        int window = wMax;
        bool found = false;
        double cumulative = g0;
        for (int w = 1; w <= wMax; w++)
        {
            cumulative += 2 * gamma[w];
            double tauInt = cumulative / (2 * g0);
            double tau = tauInt <= 0.5 ? double.Epsilon : s / Math.Log((2 * tauInt + 1) / (2 * tauInt - 1));
            double g = Math.Exp(-w / tau) - tau / Math.Sqrt(w * (double)n);
            if (g < 0)
            {
                window = w;
                found = true;
                break;
            }
        }
        double cf = g0;
        for (int t = 1; t <= window; t++) cf += 2 * gamma[t];
        // Bias correction of Γ: the mean was estimated from the same data (eq. 49).
        double gamma0 = g0 + cf / n;
        cf += (2 * window + 1) * cf / n;
        double error = Math.Sqrt(Math.Max(cf, 0) / n);
        double tauIntFinal = cf / (2 * gamma0);
        double tauError = 2 * tauIntFinal * Math.Sqrt(Math.Max(window - tauIntFinal + 0.5, 0) / n);
        double errorOfError = error * Math.Sqrt((window + 0.5) / n);
        return new GammaResult(value, error, errorOfError, tauIntFinal, tauError, window, n / (2 * tauIntFinal), n, found);
    }

    /// <summary>∂f/∂ā_α by central differences with steps set by each primary's spread (as UWerr: h = σ_α/√N/2).</summary>
    private static double[] Gradient(IReadOnlyList<double[][]> replicas, double[] mean, Func<double[], double> f, int n)
    {
        int primaries = mean.Length;
        var gradient = new double[primaries];
        var point = (double[])mean.Clone();
        for (int alpha = 0; alpha < primaries; alpha++)
        {
            double variance = 0;
            foreach (var r in replicas)
                foreach (double v in r[alpha]) variance += (v - mean[alpha]) * (v - mean[alpha]);
            double h = Math.Sqrt(variance / n) / Math.Sqrt(n) / 2;
            if (h == 0) continue;
            point[alpha] = mean[alpha] + h;
            double up = f(point);
            point[alpha] = mean[alpha] - h;
            double down = f(point);
            point[alpha] = mean[alpha];
            gradient[alpha] = (up - down) / (2 * h);
        }
        return gradient;
    }
}
