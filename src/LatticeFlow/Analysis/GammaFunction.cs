using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace LatticeFlow.Analysis;

/// <summary>
/// Γ(t) = 1/(N − R t) Σ_r Σ_i δ_i^r δ_{i+t}^r (Wolff eq. 31), computed as the window search asks for it:
/// lags in doubling blocks by direct vectorised sums (N·t work, t rarely above a few hundred), switching to
/// one FFT of every replica (MathNet) once the lags asked for make that cheaper. 10⁷ samples with τ_int ≈ 10
/// then take a fraction of a second instead of the ~15 s (and 512 MB) of a 2²⁵-point FFT.
/// </summary>
internal sealed class GammaFunction(IReadOnlyList<ArraySegment<double>> projected, int n, int tMax, GammaPath path = GammaPath.Automatic)
{
    // Measured on the 2-core development machine at N = 10⁷: 7 ms per lag of direct sums (memory bound), 15 s for the
    // 2²⁵-point FFT, the same as ~2200 lags; both scale with N, the FFT with an extra log₂ of its size (25 there).
    private readonly int _directLimit = path switch
    {
        GammaPath.Direct => int.MaxValue,
        GammaPath.Fft => 0,
        _ => Math.Max(64, (int)(80 * Math.Log2(Math.Max(2, 2 * n)))),
    };
    private double[] _values = [];
    private int _computed;

    public double this[int t]
    {
        get
        {
            if (t > tMax) return 0;
            if (t >= _computed) Extend(t);
            return _values[t];
        }
    }

    private void Extend(int t)
    {
        // The lag asked for decides between the paths; the doubling only saves calls, so it stops at the direct limit.
        if (t + 1 > _directLimit)
        {
            _values = Fft();
            _computed = tMax + 1;
            return;
        }
        int target = Math.Min(Math.Min(tMax + 1, _directLimit), Math.Max(Math.Max(t + 1, 2 * _computed), 32));
        Array.Resize(ref _values, target);
        var sums = new double[target - _computed];
        foreach (var d in projected) Lags(d.AsSpan(), _computed, sums);
        for (int lag = _computed; lag < target; lag++) _values[lag] = sums[lag - _computed] / (n - projected.Count * lag);
        _computed = target;
    }

    // Lags summed together over one block of the series, which stays in the cache: one pass over memory serves a
    // group of lags (the sums are memory bound, ~7 ms per lag and pass at N = 10⁷ on the development machine).
    private const int Block = 4096, Group = 16;

    /// <summary>sums[k] += Σ_i d[i] d[i + lag0 + k] for every k, over the pairs inside the series.</summary>
    private static void Lags(ReadOnlySpan<double> d, int lag0, Span<double> sums)
    {
        for (int g = 0; g < sums.Length; g += Group)
        {
            int count = Math.Min(Group, sums.Length - g);
            for (int i = 0; i < d.Length; i += Block)
                for (int k = 0; k < count; k++)
                {
                    int lag = lag0 + g + k, end = Math.Min(i + Block, d.Length - lag);
                    if (end > i) sums[g + k] += Dot(d[i..end], d[(i + lag)..(end + lag)]);
                }
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int width = Vector<double>.Count, i = 0;
        var acc = Vector<double>.Zero;
        for (; i <= a.Length - width; i += width) acc += new Vector<double>(a[i..]) * new Vector<double>(b[i..]);
        double sum = Vector.Dot(acc, Vector<double>.One);
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>All lags at once: |FFT|² of each zero-padded replica, transformed back (Wiener–Khinchin).</summary>
    private double[] Fft()
    {
        var sums = new double[tMax + 1];
        foreach (var d in projected)
        {
            int m = d.Count, size = 1;
            while (size < 2 * m) size <<= 1;
            var buffer = new Complex[size];
            for (int i = 0; i < m; i++) buffer[i] = d[i];
            Fourier.Forward(buffer, FourierOptions.NoScaling);
            for (int k = 0; k < size; k++) buffer[k] = new Complex(buffer[k].Real * buffer[k].Real + buffer[k].Imaginary * buffer[k].Imaginary, 0);
            Fourier.Inverse(buffer, FourierOptions.NoScaling);
            for (int t = 0; t <= tMax && t < m; t++) sums[t] += buffer[t].Real / size;
        }
        for (int t = 0; t <= tMax; t++) sums[t] /= n - projected.Count * t;
        return sums;
    }
}

/// <summary>How Γ(t) is computed: the automatic choice, or one path forced (tests compare the two).</summary>
internal enum GammaPath { Automatic, Direct, Fft }

/// <summary>ρ(t) with its error (Wolff eq. 33) and τ_int(W), for t, W = 0 … a few windows: what the plots show.</summary>
public sealed record GammaCurves(double[] Rho, double[] RhoError, double[] TauIntByWindow)
{
    /// <summary>No curves: the error was not determined.</summary>
    public static readonly GammaCurves Empty = new([], [], []);
}
