namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// The net outputs of one active site: p[c] = net[(b·C + c)·V + s] for channel c of sample b, site s, in the coupling's
/// net output [sample, channel, site]. Transforms read their parameters and write their parameter gradients through it.
/// </summary>
public readonly struct SiteParameters<TF>(TF view, int offset, int stride) where TF : struct, IView<float>
{
    private readonly TF _view = view;
    private readonly int _offset = offset, _stride = stride;

    public float this[int c]
    {
        get => _view[_offset + c * _stride];
        set => _view[_offset + c * _stride] = value;
    }
}

/// <summary>
/// The element-wise transform of a coupling layer's active sites (the seam of DESIGN.md principle 7; zuko's univariate
/// transforms): y = g(x; p) with parameters p from the conv net of the frozen sites, monotone in x. Implementations are
/// readonly structs passed to the coupling kernels as a type parameter, so one kernel body serves every transform and
/// the JIT and ILGPU inline the transform. All return log|∂y/∂x| of the forward map (in float; the kernels sum it in
/// double). Registered, with their host-side names, in LatticeFlow.Flows.CouplingTransforms.
/// </summary>
public interface ICouplingTransform
{
    /// <summary>Net output channels per site that the transform reads.</summary>
    int Channels { get; }

    /// <summary>y = g(x; p) and log|∂y/∂x|.</summary>
    float Forward<TF>(float x, SiteParameters<TF> p, out float logJ) where TF : struct, IView<float>;

    /// <summary>x = g⁻¹(y; p) and log|∂y/∂x| of the forward map at that x.</summary>
    float Inverse<TF>(float y, SiteParameters<TF> p, out float logJ) where TF : struct, IView<float>;

    /// <summary>
    /// Back-propagates through y = g(x; p) with loss gradients gy = ∂L/∂y and gl = ∂L/∂(log|∂y/∂x|): writes ∂L/∂p_c
    /// into <paramref name="gp"/> and returns ∂L/∂x.
    /// </summary>
    float Backward<TF>(float x, SiteParameters<TF> p, float gy, float gl, SiteParameters<TF> gp) where TF : struct, IView<float>;

    /// <summary>
    /// The mirror P of the parameters under φ → −φ: (P p)_c = <see cref="MirrorSign"/>(c) · p_{MirrorChannel(c)}, chosen so that
    /// g(−x; P p) = −g(x; p). Equivariant couplings average the net's output over x_f and −x_f with it
    /// (<see cref="MirrorParametersKernel{TF, TI, TT}"/>). P must be an involution.
    /// </summary>
    int MirrorChannel(int c);

    /// <inheritdoc cref="MirrorChannel"/>
    float MirrorSign(int c);
}

/// <summary>
/// Real NVP's affine transform y = x·e^s + t, log|∂y/∂x| = s (arXiv:1605.08803 eq. 6, 9; Albergo et al. 2019 eq. 14),
/// p = (s, t). With <c>clamp</c> c &gt; 0 the log-scale is soft-clamped to (−c, c): s = ŝ / (1 + |ŝ|/c) (zuko's
/// MonotonicAffineTransform), which bounds each layer's scale without the final tanh.
/// </summary>
public readonly struct AffineTransform(float clamp) : ICouplingTransform
{
    private readonly float _clamp = clamp;

    /// <summary>The soft clamp c of the log-scale (0: none).</summary>
    public float Clamp => _clamp;

    public int Channels => 2;

    private float LogScale(float raw) => _clamp > 0f ? raw / (1f + ILGPU.Algorithms.XMath.Abs(raw) / _clamp) : raw;

    // d s / d ŝ = 1 / (1 + |ŝ|/c)²
    private float LogScaleDerivative(float raw)
    {
        if (_clamp <= 0f) return 1f;
        float d = 1f + ILGPU.Algorithms.XMath.Abs(raw) / _clamp;
        return 1f / (d * d);
    }

    // (s, t) → (s, −t): −(x e^s + t) = (−x) e^s + (−t).
    public int MirrorChannel(int c) => c;

    public float MirrorSign(int c) => c == 0 ? 1f : -1f;

    public float Forward<TF>(float x, SiteParameters<TF> p, out float logJ) where TF : struct, IView<float>
    {
        float s = LogScale(p[0]);
        logJ = s;
        return x * ActivationCode.FastExp(s) + p[1];
    }

    public float Inverse<TF>(float y, SiteParameters<TF> p, out float logJ) where TF : struct, IView<float>
    {
        float s = LogScale(p[0]);
        logJ = s;
        return (y - p[1]) * ActivationCode.FastExp(-s);
    }

    public float Backward<TF>(float x, SiteParameters<TF> p, float gy, float gl, SiteParameters<TF> gp) where TF : struct, IView<float>
    {
        float raw = p[0];
        float e = ActivationCode.FastExp(LogScale(raw));
        gp[0] = (gy * x * e + gl) * LogScaleDerivative(raw);
        gp[1] = gy;
        return gy * e;
    }
}

/// <summary>NICE's additive transform y = x + t, volume preserving (arXiv:1410.8516 eq. 4); p = (t).</summary>
public readonly struct AdditiveTransform : ICouplingTransform
{
    public int Channels => 1;

    // t → −t.
    public int MirrorChannel(int c) => c;

    public float MirrorSign(int c) => -1f;

    public float Forward<TF>(float x, SiteParameters<TF> p, out float logJ) where TF : struct, IView<float>
    {
        logJ = 0f;
        return x + p[0];
    }

    public float Inverse<TF>(float y, SiteParameters<TF> p, out float logJ) where TF : struct, IView<float>
    {
        logJ = 0f;
        return y - p[0];
    }

    public float Backward<TF>(float x, SiteParameters<TF> p, float gy, float gl, SiteParameters<TF> gp) where TF : struct, IView<float>
    {
        gp[0] = gy;
        return gy;
    }
}
