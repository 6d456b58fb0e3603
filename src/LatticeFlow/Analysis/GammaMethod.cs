namespace LatticeFlow.Analysis;

/// <summary>
/// Wolff's Γ-method (U. Wolff, "Monte Carlo errors with less errors", Comput. Phys. Commun. 156 (2004)
/// 143, hep-lat/0306017), as in his UWerr: the autocorrelation function of the (projected) fluctuations,
/// the automatic window W with parameter S (eq. 52, <see cref="WolffWindow"/>), the bias correction of Γ (eq. 49), the
/// error of the error (eq. 44) and δτ_int = 2τ_int·sqrt((W − τ_int + ½)/N) (eq. 42). Derived quantities use linear error
/// propagation of the means (eq. 19–22): one analysis of the projected series Σ_α f_α (a_α − ā_α), which keeps the
/// cross-correlations of the primaries and needs no blocking. Replicas (independent chains) enter Γ(t) as separate sums
/// (eq. 31), never as one long chain. An error that cannot be computed (non-finite data, f or its derivative outside
/// its domain, a non-positive autocorrelation sum, fewer than 2·<see cref="MinimumWindow"/> measurements in a chain) is
/// <see cref="ErrorStatus.Undetermined"/>, never 0; exactly constant data are <see cref="ErrorStatus.Constant"/>.
/// </summary>
public static class GammaMethod
{
    public const double DefaultS = 1.5;

    /// <summary>
    /// The largest window the shortest replica must allow (half its length) before an error is determined: with fewer
    /// than 8 measurements in a chain Γ(t) is noise at every lag, and τ_int could come out negative.
    /// </summary>
    public const int MinimumWindow = 4;

    public static GammaResult Analyze(IReadOnlyList<double> series, double s = DefaultS) =>
        Analyze([series as double[] ?? [.. series]], s);

    public static GammaResult Analyze(IReadOnlyList<double[]> replicas, double s = DefaultS) =>
        Derived([.. replicas.Select(r => new[] { r })], a => a[0], s);

    /// <summary>
    /// f(⟨a_1⟩, …, ⟨a_k⟩) with its error; replicas[r][α] is the series of primary α in replica r (equal lengths within a
    /// replica). Pass only the primaries f depends on: each costs a pass over the data.
    /// </summary>
    /// <exception cref="InvalidInputException">Fewer than 2 measurements in all.</exception>
    public static GammaResult Derived(IReadOnlyList<double[][]> replicas, Func<double[], double> f, double s = DefaultS) =>
        Derived(replicas, f, s, GammaPath.Automatic);

    internal static GammaResult Derived(IReadOnlyList<double[][]> replicas, Func<double[], double> f, double s, GammaPath path)
    {
        using var p = Project(replicas, f);
        if (p.Projected is null) return GammaResult.Undetermined(p.Value, p.N);
        int wMax = p.Projected.Min(x => x.Count) / 2;
        if (wMax < MinimumWindow && !p.Constant) return GammaResult.Undetermined(p.Value, p.N);
        return Window(p.Value, new GammaFunction(p.Projected, p.N, wMax, path), p.N, wMax, s);
    }

    /// <summary>
    /// The Γ-method with its curves for plots: ρ(t) = Γ(t)/Γ(0) with Wolff's error estimate (eq. 33, truncated at
    /// t + W as in UWerr) and τ_int(W) = ½ + Σ_{t=1}^{W} ρ(t), for t and W up to a few times the chosen window.
    /// Curves are empty where the error is not determined.
    /// </summary>
    public static (GammaResult Result, GammaCurves Curves) DerivedWithCurves(IReadOnlyList<double[][]> replicas, Func<double[], double> f, double s = DefaultS)
    {
        using var p = Project(replicas, f);
        if (p.Projected is null) return (GammaResult.Undetermined(p.Value, p.N), GammaCurves.Empty);
        int n = p.N, wMax = p.Projected.Min(x => x.Count) / 2;
        if (wMax < MinimumWindow && !p.Constant) return (GammaResult.Undetermined(p.Value, p.N), GammaCurves.Empty);
        var gamma = new GammaFunction(p.Projected, n, wMax);
        var result = Window(p.Value, gamma, n, wMax, s);
        if (result.Status != ErrorStatus.Determined) return (result, GammaCurves.Empty);
        int tMax = Math.Min(wMax, Math.Max(3 * result.Window + 10, 20));
        int padded = Math.Min(wMax, tMax + result.Window + 1);
        var rho = new double[padded + 1];
        double g0 = gamma[0];
        for (int t = 0; t <= padded; t++) rho[t] = gamma[t] / g0;
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

    /// <summary>
    /// The value f(ā) and the projected fluctuations per replica, in buffers rented from the shared pool (a long chain's
    /// are tens of MB, and an analysis makes dozens: renting keeps them from piling up as garbage); Projected is null where
    /// no error can be computed. Disposing returns the buffers.
    /// </summary>
    private readonly record struct Projection(double Value, ArraySegment<double>[]? Projected, int N, bool Constant = false) : IDisposable
    {
        public void Dispose()
        {
            foreach (var p in Projected ?? []) System.Buffers.ArrayPool<double>.Shared.Return(p.Array!);
        }
    }

    private static ArraySegment<double> Rent(int length, bool zero)
    {
        var a = System.Buffers.ArrayPool<double>.Shared.Rent(Math.Max(length, 1));
        if (zero) Array.Clear(a, 0, length);
        return new ArraySegment<double>(a, 0, length);
    }

    private static Projection Project(IReadOnlyList<double[][]> replicas, Func<double[], double> f)
    {
        if (replicas.Count == 0) throw new ArgumentException("no data");
        int primaries = replicas[0].Length;
        foreach (var r in replicas)
        {
            if (r.Length != primaries) throw new ArgumentException("every replica needs every primary");
            foreach (var a in r)
                if (a.Length != r[0].Length) throw new ArgumentException("primaries of a replica must have equal length");
        }
        int n = replicas.Sum(r => r[0].Length);
        if (n < 2) throw new InvalidInputException("the Γ-method needs at least 2 measurements");
        var mean = new double[primaries];
        var steps = new double[primaries];
        bool finite = true, constant = true;
        for (int alpha = 0; alpha < primaries; alpha++)
        {
            // Exactly constant data: the mean's rounding would otherwise leave fluctuations of 1e-16 to analyse.
            double first = replicas[0][alpha][0];
            foreach (var r in replicas)
                foreach (double v in r[alpha]) constant &= v.Equals(first);
            double sum = 0;
            foreach (var r in replicas)
                foreach (double v in r[alpha]) sum += v;
            mean[alpha] = sum / n;
            double variance = 0;
            foreach (var r in replicas)
                foreach (double v in r[alpha]) variance += (v - mean[alpha]) * (v - mean[alpha]);
            finite &= double.IsFinite(variance);
            // UWerr's step: half the error of the mean without autocorrelation.
            steps[alpha] = Math.Sqrt(variance / n) / Math.Sqrt(n) / 2;
        }
        if (constant)
        {
            double exact = f([.. replicas[0].Select(a => a[0])]);
            if (double.IsFinite(exact)) return new Projection(exact, [.. replicas.Select(r => Rent(r[0].Length, zero: true))], n, Constant: true);
        }
        double value = finite ? f(mean) : double.NaN;
        if (!finite || !double.IsFinite(value)) return new Projection(value, null, n);
        var gradient = NumericalGradient.Central(f, mean, steps);
        if (gradient.Any(g => !double.IsFinite(g))) return new Projection(value, null, n);
        // The projected fluctuations δ_i = Σ_α f_α (a_α,i − ā_α) per replica (Wolff eq. 19–20).
        return new Projection(value, [.. replicas.Select(r =>
        {
            var d = Rent(r[0].Length, zero: true);
            var span = d.AsSpan();
            for (int alpha = 0; alpha < primaries; alpha++)
            {
                double g = gradient[alpha];
                if (g == 0) continue;
                var a = r[alpha];
                double m = mean[alpha];
                for (int i = 0; i < span.Length; i++) span[i] += g * (a[i] - m);
            }
            return d;
        })], n);
    }

    /// <summary>Automatic windowing (Wolff eq. 50–52) and the bias-corrected error (eq. 49).</summary>
    private static GammaResult Window(double value, GammaFunction gamma, int n, int wMax, double s)
    {
        double g0 = gamma[0];
        if (g0 == 0) return new GammaResult(value, 0, 0, double.NaN, double.NaN, 0, double.NaN, n, false, ErrorStatus.Constant);
        if (!(g0 > 0)) return GammaResult.Undetermined(value, n);
        int window = wMax;
        bool found = false;
        double cumulative = g0;
        for (int w = 1; w <= wMax; w++)
        {
            cumulative += 2 * gamma[w];
            if (WolffWindow.IsOptimal(cumulative / (2 * g0), w, n, s))
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
        if (!(cf > 0) || !(gamma0 > 0)) return GammaResult.Undetermined(value, n) with { Window = window };
        double error = Math.Sqrt(cf / n);
        double tauInt = cf / (2 * gamma0);
        double errorOfError = error * Math.Sqrt((window + 0.5) / n);
        return new GammaResult(value, error, errorOfError, tauInt, WolffWindow.TauIntError(tauInt, window, n), window, n / (2 * tauInt), n, found);
    }
}
