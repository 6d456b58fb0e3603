namespace LatticeFlow.Analysis;

/// <summary>The effective-mass plateau used for the pole mass: t from First to Last, and its fit quality.</summary>
public sealed record Plateau(int First, int Last, double ChiSquaredPerDof);

/// <summary>G̃(t), m_eff(t), and the pole mass with its plateau; every figure a Γ-method result (errors include autocorrelation).</summary>
public sealed record CorrelatorResult(GammaResult[] Correlator, GammaResult?[] EffectiveMass, GammaResult? PoleMass, Plateau? Plateau, GammaResult? PoleMassTimesL)
{
    public static readonly CorrelatorResult None = new([], [], null, null, null);
}

/// <summary>
/// Per replica, the primaries of the zero-momentum correlator for each configuration: C_t = (1/V) Σ_{t0} T(t0 + t) T(t0)
/// for t = 0 … T/2 (index t), then M = Σ_t T(t) (index T/2 + 1); T(t) = Σ_x⃗ φ(x⃗, t) over the other d − 1
/// coordinates (<paramref name="SpatialVolume"/> sites), T = <paramref name="TimeExtent"/>.
/// </summary>
public sealed record CorrelatorPrimaries(int SpatialVolume, int TimeExtent, IReadOnlyList<double[][]> Replicas)
{
    public int Half => TimeExtent / 2;
    public double Volume => (double)SpatialVolume * TimeExtent;

    /// <summary>Adds C_t and M of one configuration's time-slice sums <paramref name="slices"/> (length Ly) at <paramref name="index"/> of <paramref name="replica"/>.</summary>
    public static void Measure(ReadOnlySpan<double> slices, double volume, double[][] replica, long index, System.Numerics.Complex[]? fftBuffer)
    {
        int ly = slices.Length, half = ly / 2;
        double m = 0;
        foreach (double t in slices) m += t;
        replica[half + 1][index] = m;
        if (fftBuffer is null)
        {
            for (int t = 0; t <= half; t++)
            {
                double c = 0;
                for (int t0 = 0; t0 < ly; t0++) c += slices[t0 + t < ly ? t0 + t : t0 + t - ly] * slices[t0];
                replica[t][index] = c / volume;
            }
            return;
        }
        // Circular autocorrelation by FFT (Wiener–Khinchin) where Ly is long: Ly log Ly instead of Ly²/2.
        for (int t = 0; t < ly; t++) fftBuffer[t] = slices[t];
        MathNet.Numerics.IntegralTransforms.Fourier.Forward(fftBuffer, MathNet.Numerics.IntegralTransforms.FourierOptions.NoScaling);
        for (int k = 0; k < ly; k++) fftBuffer[k] = fftBuffer[k].Real * fftBuffer[k].Real + fftBuffer[k].Imaginary * fftBuffer[k].Imaginary;
        MathNet.Numerics.IntegralTransforms.Fourier.Inverse(fftBuffer, MathNet.Numerics.IntegralTransforms.FourierOptions.NoScaling);
        for (int t = 0; t <= half; t++) replica[t][index] = fftBuffer[t].Real / ly / volume;
    }

    /// <summary>Time extents from which <see cref="Measure"/> uses an FFT.</summary>
    public const int FftFrom = 128;
}

/// <summary>
/// The zero-momentum correlator (DESIGN.md): G̃(t) and m_eff(t) (<see cref="DerivedQuantities"/>) from the primaries C_t
/// and M. The pole mass is the weighted average of m_eff over a plateau chosen automatically: it ends at the last
/// t ≤ Ly/2 − 1 where m_eff is determined to better than 50 %, and starts at the earliest t from which the points are
/// consistent with a constant (χ²/dof within two standard deviations of its expectation, 1 + 2√(2/dof), with diagonal
/// errors). All errors come from linear propagation of the means of the primaries (GammaMethod.Derived), so
/// correlations between time slices are kept; each quantity is given only the primaries it depends on.
/// </summary>
public static class ZeroMomentumCorrelator
{
    public static CorrelatorResult Analyze(CorrelatorPrimaries p, double s = GammaMethod.DefaultS)
    {
        double v = p.Volume;
        int half = p.Half, ly = p.TimeExtent;
        double[][][] Select(params int[] ts) => [.. p.Replicas.Select(r => ts.Select(t => r[t]).Append(r[half + 1]).ToArray())];
        // G(a, i) for primaries a = [C_t1, …, C_tk, M].
        double G(double[] a, int i) => DerivedQuantities.ConnectedCorrelator(a[i], a[^1], v, ly);
        var correlator = Enumerable.Range(0, half + 1).Select(t => GammaMethod.Derived(Select(t), a => G(a, 0), s)).ToArray();
        var meff = new GammaResult?[half];
        for (int t = 1; t < half; t++)
        {
            var r = GammaMethod.Derived(Select(t - 1, t, t + 1), a => DerivedQuantities.EffectiveMass(G(a, 0), G(a, 1), G(a, 2)), s);
            meff[t] = double.IsFinite(r.Value) ? r : null;
        }
        var plateau = ChoosePlateau(meff);
        if (plateau is null) return new CorrelatorResult(correlator, meff, null, null, null);
        int first = plateau.First, last = plateau.Last;
        var weights = Enumerable.Range(first, last - first + 1).Select(t => 1 / (meff[t]!.Error * meff[t]!.Error)).ToArray();
        double wsum = weights.Sum();
        // Primaries C_{first−1} … C_{last+1}, M: m_eff(t) uses indices t − first, t − first + 1, t − first + 2.
        var replicas = Select([.. Enumerable.Range(first - 1, last - first + 3)]);
        double Average(double[] a)
        {
            double sum = 0;
            for (int t = first; t <= last; t++)
                sum += weights[t - first] * DerivedQuantities.EffectiveMass(G(a, t - first), G(a, t - first + 1), G(a, t - first + 2));
            return sum / wsum;
        }
        var mp = GammaMethod.Derived(replicas, Average, s);
        var mpl = GammaMethod.Derived(replicas, a => Average(a) * ly, s);
        return new CorrelatorResult(correlator, meff, mp, plateau, mpl);
    }

    private static Plateau? ChoosePlateau(GammaResult?[] meff)
    {
        int last = -1;
        for (int t = 1; t < meff.Length; t++)
        {
            if (meff[t] is not GammaResult r || r.Status != ErrorStatus.Determined || !(r.Error > 0) || r.Error > 0.5 * Math.Abs(r.Value)) break;
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
