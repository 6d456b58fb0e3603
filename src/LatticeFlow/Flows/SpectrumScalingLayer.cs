using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels.Flows;
using LatticeFlow.Physics;

namespace LatticeFlow.Flows;

/// <summary>
/// A learnable Gaussian layer in momentum space, y = F⁻¹ σ(k) F x (bijx's SpectrumScaling, Gerdes et al.,
/// arXiv:2207.00283; Komijani and Marinkovic, arXiv:2301.01504): first in the flow, it turns white noise into a Gaussian
/// field of any translation- and reflection-invariant covariance σ(k)², such as the free field's 1/(p̂² + m²), so the
/// couplings need not build the long-range correlations that local conv nets learn slowly. log|det| = Σ_k ln σ(k),
/// the same for every sample; linear, so it keeps a flow Z2-equivariant.
/// </summary>
/// <remarks>
/// The spectrum depends on k only through the lattice momentum p̂² = 4 sin²(k_x/2) + 4 sin²(k_y/2), k_μ = 2π n_μ / L_μ,
/// so its parameters mean the same on every lattice (training across volumes, <c>--init-from</c>): ln σ is
/// piecewise linear in ln p̂² between <see cref="Knots"/> knots at p̂² = 8 · 2^−i (i = 0 … Knots − 1, constant below the
/// last), with a value of its own at the zero mode. The parameters are differences, each knot's value is the sum of the
/// parameters from its own to the last: c_K is ln σ at p̂² = 8, c_i (0 &lt; i &lt; K) the step from knot i + 1 to knot i
/// (knot 1 has the smallest p̂²), c₀ the step from knot 1 to the zero mode. So the knots below a lattice's smallest
/// momentum, which only the zero mode's gradient reaches, hold values between the smallest momentum's and the zero
/// mode's when the flow moves to a larger lattice, rather than the identity's 0. All start at 0 (the identity). σ(k) is
/// even in k_x and in k_y, so the separable Hartley transform H = H_x ⊗ H_y (real, orthogonal, its own inverse)
/// diagonalises the map as the Fourier transform does: y = H σ H x.
/// Cost per sample: 2V(L_x + L_y) multiply-adds forward (two transforms), 3V(L_x + L_y) backward.
/// The zero mode's value is the sum of all parameters, and the parameters below a lattice's smallest momentum (9 of the
/// 13 on 6 × 6, 6 on 14 × 14, 2 on 64 × 64) are reached by its gradient alone; Adam moves each by about the learning
/// rate per step whatever the gradient's size, so the zero mode learns several times faster than the other modes, and
/// those parameters move together: the knots below the smallest momentum come out evenly spaced between its value
/// and the zero mode's.
/// </remarks>
public sealed class SpectrumScalingLayer : IFlowLayer
{
    /// <summary>Knots of ln σ in ln p̂²: p̂² = 8, 4, 2, …, 8 · 2^−11 ≈ 0.004 (the smallest nonzero p̂² of L ≈ 100).</summary>
    public const int Knots = 12;

    /// <summary>Parameters of the layer: one per knot and one for the zero mode.</summary>
    public const int ParameterCount = Knots + 1;

    private readonly ParameterStore _store;
    private readonly int _lx, _ly, _volume;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _matrices, _weight, _ones, _scale, _logScale;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _knot;
    private MemoryBuffer1D<float, Stride1D.Dense>? _middle, _scaled, _transformed;
    private int _capacity;

    /// <summary>The index of c₀ in the parameter store.</summary>
    public int Offset { get; }

    public SpectrumScalingLayer(ParameterStore store, int lx, int ly)
    {
        _store = store;
        (_lx, _ly, _volume) = (lx, ly, lx * ly);
        Offset = store.Take(ParameterCount);
        var matrices = new float[lx * lx + ly * ly];
        Hartley(lx).CopyTo(matrices, 0);
        Hartley(ly).CopyTo(matrices, lx * lx);
        var (knot, weight) = Basis(lx, ly);
        _matrices = Upload(matrices);
        _weight = Upload(weight);
        _ones = Upload(Enumerable.Repeat(1f, _volume).ToArray());
        _knot = Device.Allocate<int>(_volume);
        Device.CopyFromHost(knot, _knot.View);
        _scale = Device.Allocate<float>(_volume);
        _logScale = Device.Allocate<float>(_volume);
    }

    private ComputeDevice Device => _store.Device;

    private MemoryBuffer1D<float, Stride1D.Dense> Upload(float[] host)
    {
        var buffer = Device.Allocate<float>(host.Length);
        Device.CopyFromHost(host, buffer.View);
        return buffer;
    }

    /// <summary>The n × n orthonormal Hartley matrix, row-major: H[r, m] = [cos(2πrm/n) + sin(2πrm/n)]/√n.</summary>
    public static float[] Hartley(int n)
    {
        var h = new float[n * n];
        for (int r = 0; r < n; r++)
            for (int m = 0; m < n; m++)
            {
                double angle = 2 * Math.PI * ((long)r * m % n) / n;
                h[r * n + m] = (float)((Math.Cos(angle) + Math.Sin(angle)) / Math.Sqrt(n));
            }
        return h;
    }

    /// <summary>
    /// ln σ(k) as weights of the parameters, per momentum k = (n_x, n_y) at index n_x·L_y + n_y:
    /// ln σ(k) = (1 − w) S(j) + w S(j + 1) with S(m) the value at knot m, 0 the zero mode (<see cref="SpectrumKernel{TF, TI}"/>).
    /// </summary>
    public static (int[] Knot, float[] Weight) Basis(int lx, int ly)
    {
        var knot = new int[lx * ly];
        var weight = new float[lx * ly];
        double lowest = Math.Log(8.0) - (Knots - 1) * Math.Log(2.0);
        for (int nx = 0; nx < lx; nx++)
            for (int ny = 0; ny < ly; ny++)
            {
                int k = nx * ly + ny;
                if (nx == 0 && ny == 0) continue; // the zero mode: c₀ alone
                double t = (Math.Log(LatticeMomentum.Squared(nx, lx) + LatticeMomentum.Squared(ny, ly)) - lowest) / Math.Log(2.0);
                if (t <= 0) (knot[k], weight[k]) = (1, 0f);
                else if (t >= Knots - 1) (knot[k], weight[k]) = (Knots - 1, 1f);
                else
                {
                    int i = (int)Math.Floor(t);
                    (knot[k], weight[k]) = (1 + i, (float)(t - i));
                }
            }
        return (knot, weight);
    }

    public void EnsureCapacity(int batch)
    {
        if (batch <= _capacity) return;
        _middle?.Dispose();
        _scaled?.Dispose();
        _transformed?.Dispose();
        _middle = Device.Allocate<float>((long)batch * _volume);
        _scaled = Device.Allocate<float>((long)batch * _volume);
        _transformed = Device.Allocate<float>((long)batch * _volume);
        _capacity = batch;
    }

    public void Forward(int batch, ArrayView<float> x, ArrayView<float> y, ArrayView<double> logDet) => Apply(batch, x, y, logDet, 1f);

    public void Inverse(int batch, ArrayView<float> y, ArrayView<float> x, ArrayView<double> logDet) => Apply(batch, y, x, logDet, -1f);

    private void Apply(int batch, ArrayView<float> source, ArrayView<float> destination, ArrayView<double> logDet, float sign)
    {
        EnsureCapacity(batch);
        Spectrum(sign);
        Transform(batch, source, _middle!.View, _scaled!.View, _scale.View);
        Transform(batch, _scaled.View, _middle.View, destination, _ones.View);
        Device.Launch(batch, (long)batch * _volume, new SpectrumLogDetKernel<Floats, Reals>(_logScale.View, _volume, logDet));
    }

    private void Spectrum(float sign) =>
        Device.Launch(_volume, _volume, new SpectrumKernel<Floats, Ints>(_store.Values, Offset, ParameterCount, _knot.View, _weight.View, sign, _scale.View, _logScale.View));

    /// <summary>destination = scale ⊙ (H_y H_x source), through <paramref name="middle"/>.</summary>
    private void Transform(int batch, ArrayView<float> source, ArrayView<float> middle, ArrayView<float> destination, ArrayView<float> scale)
    {
        int n = batch * _volume;
        var hx = _matrices.View.SubView(0, _lx * _lx);
        var hy = _matrices.View.SubView(_lx * _lx, _ly * _ly);
        Device.Launch(n, (long)n * _lx, new HartleyAxisKernel<Floats>(source, middle, hx, _lx, _ly, _volume, _ones.View));
        Device.Launch(n, (long)n * _ly, new HartleyAxisKernel<Floats>(middle, destination, hy, _ly, 1, _volume, scale));
    }

    public void Backward(int batch, ArrayView<float> x, ArrayView<float> gradient, float logDetGrad)
    {
        // y = H σ H x: ∂L/∂x = H σ H g, and ∂L/∂ln σ(k) = Σ_b (σ H g)_b(k) (H x)_b(k) + B ∂L/∂(log det).
        Spectrum(1f);
        Transform(batch, gradient, _middle!.View, _scaled!.View, _scale.View);
        Transform(batch, x, _middle.View, _transformed!.View, _ones.View);
        var perMomentum = _store.Scratch(_volume);
        Device.Launch(_volume, (long)batch * _volume, new SpectrumMomentumGradientKernel<Floats, Reals>(_scaled.View, _transformed.View, batch, _volume, logDetGrad, perMomentum));
        Device.Launch(ParameterCount, (long)ParameterCount * _volume,
            new SpectrumParameterGradientKernel<Floats, Ints, Reals>(perMomentum, _knot.View, _weight.View, _volume, _store.Gradients, Offset));
        Transform(batch, _scaled.View, _middle.View, gradient, _ones.View);
    }

    public void Dispose()
    {
        _matrices.Dispose();
        _weight.Dispose();
        _ones.Dispose();
        _scale.Dispose();
        _logScale.Dispose();
        _knot.Dispose();
        _middle?.Dispose();
        _scaled?.Dispose();
        _transformed?.Dispose();
    }
}
