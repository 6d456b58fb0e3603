namespace LatticeFlow.Analysis;

/// <summary>The effective-mass plateau used for the pole mass: t from First to Last, and its fit quality.</summary>
public sealed record Plateau(int First, int Last, double ChiSquaredPerDof);

/// <summary>G̃(t), m_eff(t), and the pole mass with its plateau; every figure a Γ-method result (errors include autocorrelation).</summary>
public sealed record CorrelatorResult(GammaResult[] Correlator, GammaResult?[] EffectiveMass, GammaResult? PoleMass, Plateau? Plateau, GammaResult? PoleMassTimesL);

/// <summary>
/// The zero-momentum correlator from the time-slice sums T(t) = Σ_{x1} φ(x1, t) (DESIGN.md):
/// G̃(t) = Σ_{x1} G_c(x1, t) = ⟨C_t⟩ − ⟨M⟩²/(V·Ly) with C_t = (1/V) Σ_{t0} T(t0 + t) T(t0) per configuration, and
/// m_eff(t) = arccosh[(G̃(t − 1) + G̃(t + 1)) / (2 G̃(t))], exact for the periodic cosh of a single state. The pole
/// mass is the weighted average of m_eff over a plateau chosen automatically: it ends at the last t ≤ Ly/2 − 1 where
/// m_eff is determined to better than 50 %, and starts at the earliest t from which the points are consistent with
/// a constant (χ²/dof within two standard deviations of its expectation, 1 + 2√(2/dof), with diagonal errors). All errors come from linear propagation of the means of the
/// primaries C_t and M (GammaMethod.Derived), so correlations between time slices are kept.
/// </summary>
public static class ZeroMomentumCorrelator
{
    /// <param name="slices">[replica][configuration][t]: T(t) per configuration of each chain.</param>
    public static CorrelatorResult Analyze(IReadOnlyList<double[][]> slices, int lx, int ly, double s = GammaMethod.DefaultS)
    {
        double v = (double)lx * ly;
        int half = ly / 2;
        // Primaries per replica: C_0 … C_half, then M.
        var replicas = slices.Select(chain =>
        {
            var p = new double[half + 2][];
            for (int a = 0; a < p.Length; a++) p[a] = new double[chain.Length];
            for (int i = 0; i < chain.Length; i++)
            {
                var tt = chain[i];
                double m = 0;
                for (int t0 = 0; t0 < ly; t0++) m += tt[t0];
                for (int t = 0; t <= half; t++)
                {
                    double c = 0;
                    for (int t0 = 0; t0 < ly; t0++) c += tt[(t0 + t) % ly] * tt[t0];
                    p[t][i] = c / v;
                }
                p[half + 1][i] = m;
            }
            return p;
        }).ToArray();
        double G(double[] a, int t) => a[t] - a[half + 1] * a[half + 1] / (v * ly);
        var correlator = Enumerable.Range(0, half + 1).Select(t => GammaMethod.Derived(replicas, a => G(a, t), s)).ToArray();
        var meff = new GammaResult?[half];
        for (int t = 1; t < half; t++)
        {
            int tt = t;
            double arg(double[] a) => (G(a, tt - 1) + G(a, tt + 1)) / (2 * G(a, tt));
            var r = GammaMethod.Derived(replicas, a => Acosh(arg(a)), s);
            meff[t] = double.IsFinite(r.Value) && double.IsFinite(r.Error) ? r : null;
        }
        var plateau = ChoosePlateau(meff);
        if (plateau is null) return new CorrelatorResult(correlator, meff, null, null, null);
        var weights = Enumerable.Range(plateau.First, plateau.Last - plateau.First + 1).ToDictionary(t => t, t => 1 / (meff[t]!.Error * meff[t]!.Error));
        double wsum = weights.Values.Sum();
        double Average(double[] a) => weights.Sum(kv => kv.Value * Acosh((G(a, kv.Key - 1) + G(a, kv.Key + 1)) / (2 * G(a, kv.Key)))) / wsum;
        var mp = GammaMethod.Derived(replicas, Average, s);
        var mpl = GammaMethod.Derived(replicas, a => Average(a) * ly, s);
        return new CorrelatorResult(correlator, meff, mp, plateau, mpl);
    }

    private static double Acosh(double x) => x >= 1 ? Math.Log(x + Math.Sqrt(x * x - 1)) : double.NaN;

    private static Plateau? ChoosePlateau(GammaResult?[] meff)
    {
        int last = -1;
        for (int t = 1; t < meff.Length; t++)
        {
            if (meff[t] is not GammaResult r || !(r.Error > 0) || r.Error > 0.5 * Math.Abs(r.Value)) break;
            last = t;
        }
        if (last < 1) return null;
        for (int first = 1; first <= last; first++)
        {
            var pts = Enumerable.Range(first, last - first + 1).Select(t => meff[t]!).ToList();
            double w = pts.Sum(p => 1 / (p.Error * p.Error));
            double mean = pts.Sum(p => p.Value / (p.Error * p.Error)) / w;
            double chi2 = pts.Sum(p => Math.Pow((p.Value - mean) / p.Error, 2));
            int dof = pts.Count - 1;
            if (dof == 0 || chi2 / dof <= 1 + 2 * Math.Sqrt(2.0 / dof)) return new Plateau(first, last, dof == 0 ? 0 : chi2 / dof);
        }
        return new Plateau(last, last, 0);
    }
}
