using System.Runtime.CompilerServices;
using HostFloats = LatticeFlow.Kernels.HostView<float>;
using HostInts = LatticeFlow.Kernels.HostView<int>;
using System.Runtime.Intrinsics;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Host SIMD twins of the couplings' element-wise kernels (<see cref="CouplingTransformKernel{TF, TI, TT}"/> and
/// <see cref="CouplingBackwardKernel{TF, TI, TT}"/>) for <see cref="AffineTransform"/> (the tutorial model's, and with a
/// soft clamp of s) and <see cref="AdditiveTransform"/>, each transform's lane form an <see cref="ICouplingLanes{TT}"/>:
/// the lanes of a vector are consecutive sites of one sample, the active ones chosen by a mask of the parity table. Each
/// lane does the body's float operations in the body's order (y = x·e^s + t, x = (y − t)·e^{−s}; backward
/// ∂L/∂s = (g·x)·e^s + g_l, ∂L/∂t = g, ∂L/∂x = g·e^s), unfused; e^s is the double exp rounded to float as
/// <see cref="ActivationCode.FastExp"/> has it, from .NET's vector exp, whose last bit may differ from Math.Exp's. Where
/// the two round to the same float the twins' outputs have the bodies' bits; where they round one float ulp apart
/// (e' = e(1 + δ), |δ| ≤ 2u, u = 2⁻²⁴), propagating δ and the roundings of the two or three operations after it gives
/// |Δy| ≤ 6u|x e| + 2u|t|, |Δx| ≤ 4u|(y − t) e^{−s}| (inverse), |Δ ∂L/∂x| ≤ 4u|g e|, |Δ ∂L/∂s| ≤ 6u|g x e| + 2u|g_l|,
/// to first order in u (CouplingTwinTests checks both cases); log|∂y/∂x| = s, ∂L/∂t and the frozen sites are exact. A
/// sample's sites past its last whole vector run the transform's own scalar code. Items are the bodies' (one sample each
/// on this launcher), so results do not depend on the thread count. The additive transform (y = x ± t, no exp) runs
/// through the same twins, bit-identical to its body (<see cref="AdditiveLanes"/>). A clamp computes s and D = ds/dŝ
/// with the body's divisions (single correctly rounded IEEE operations, the same in lanes), so the bounds above hold with
/// s the clamped log-scale, but for ∂L/∂ŝ = fl(S·D), S the unclamped form's sum: body and twin each round the product
/// once more, |Δ ∂L/∂ŝ| ≤ D(8u|g x e| + 4u|g_l|). The spline transform runs through the same twins, bit-identical to its
/// body (<see cref="SplineLanes"/>: its exp and log are <see cref="PortableMath"/>'s in both).
/// </summary>
internal static unsafe class CouplingTwins
{
    public static bool Transform<TF, TI, TT>(CouplingTransformKernel<TF, TI, TT> k, TwinContext context, int items, long sites)
        where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
    {
        if (!Takes(k.Transform, k.Shape, context.Level)) return false;
        var body = new CouplingTransformKernel<HostFloats, HostInts, TT>(k.Shape, k.Parity.Host, k.Source.Host, k.NetOutput.Host,
            k.Destination.Host, k.LogJ.Host, k.Transform, k.Inverse);
        if (typeof(TT) == typeof(AffineTransform))
            LaunchTransform<AffineLanes, AffineTransform>(context, items, sites, Unsafe.As<CouplingTransformKernel<HostFloats, HostInts, TT>, CouplingTransformKernel<HostFloats, HostInts, AffineTransform>>(ref body));
        else if (typeof(TT) == typeof(AdditiveTransform))
            LaunchTransform<AdditiveLanes, AdditiveTransform>(context, items, sites, Unsafe.As<CouplingTransformKernel<HostFloats, HostInts, TT>, CouplingTransformKernel<HostFloats, HostInts, AdditiveTransform>>(ref body));
        else if (typeof(TT) == typeof(SplineTransform))
            LaunchTransform<SplineLanes, SplineTransform>(context, items, sites, Unsafe.As<CouplingTransformKernel<HostFloats, HostInts, TT>, CouplingTransformKernel<HostFloats, HostInts, SplineTransform>>(ref body));
        else return false;
        return true;
    }

    public static bool Backward<TF, TI, TT>(CouplingBackwardKernel<TF, TI, TT> k, TwinContext context, int items, long sites)
        where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
    {
        if (!Takes(k.Transform, k.Shape, context.Level)) return false;
        var body = new CouplingBackwardKernel<HostFloats, HostInts, TT>(k.Shape, k.Parity.Host, k.X.Host, k.NetOutput.Host,
            k.GradY.Host, k.GradX.Host, k.GradNetOutput.Host, k.LogDetGrad, k.Transform);
        if (typeof(TT) == typeof(AffineTransform))
            LaunchBackward<AffineLanes, AffineTransform>(context, items, sites, Unsafe.As<CouplingBackwardKernel<HostFloats, HostInts, TT>, CouplingBackwardKernel<HostFloats, HostInts, AffineTransform>>(ref body));
        else if (typeof(TT) == typeof(AdditiveTransform))
            LaunchBackward<AdditiveLanes, AdditiveTransform>(context, items, sites, Unsafe.As<CouplingBackwardKernel<HostFloats, HostInts, TT>, CouplingBackwardKernel<HostFloats, HostInts, AdditiveTransform>>(ref body));
        else if (typeof(TT) == typeof(SplineTransform))
            LaunchBackward<SplineLanes, SplineTransform>(context, items, sites, Unsafe.As<CouplingBackwardKernel<HostFloats, HostInts, TT>, CouplingBackwardKernel<HostFloats, HostInts, SplineTransform>>(ref body));
        else return false;
        return true;
    }

    private static void LaunchTransform<TX, TT>(TwinContext context, int items, long sites, CouplingTransformKernel<HostFloats, HostInts, TT> body)
        where TX : struct, ICouplingLanes<TT> where TT : struct, ICouplingTransform
    {
        if (context.Level == SimdLevel.Avx512) context.Launcher.Launch(items, sites, new CouplingTransformTwin<Lanes16, Vector512<float>, TX, TT>(body));
        else context.Launcher.Launch(items, sites, new CouplingTransformTwin<Lanes8, Vector256<float>, TX, TT>(body));
    }

    private static void LaunchBackward<TX, TT>(TwinContext context, int items, long sites, CouplingBackwardKernel<HostFloats, HostInts, TT> body)
        where TX : struct, ICouplingLanes<TT> where TT : struct, ICouplingTransform
    {
        if (context.Level == SimdLevel.Avx512) context.Launcher.Launch(items, sites, new CouplingBackwardTwin<Lanes16, Vector512<float>, TX, TT>(body));
        else context.Launcher.Launch(items, sites, new CouplingBackwardTwin<Lanes8, Vector256<float>, TX, TT>(body));
    }

    /// <summary>
    /// Whether the twins run this launch: an affine (clamped or not), additive or spline transform, items of whole samples
    /// (CouplingLayer's shapes on the managed device, whose ItemWidth is the volume) at least a vector long.
    /// </summary>
    public static bool Takes<TT>(TT transform, CouplingShape c, SimdLevel level) where TT : struct, ICouplingTransform =>
        level >= SimdLevel.Avx2 && (typeof(TT) == typeof(AffineTransform) || typeof(TT) == typeof(AdditiveTransform) || typeof(TT) == typeof(SplineTransform))
        && c.Width == c.Volume && c.Volume >= (level == SimdLevel.Avx512 ? 16 : 8);
}

/// <summary>
/// The lane form of an element-wise coupling transform (<see cref="ICouplingTransform"/>), the body's float operations
/// in the body's order for Count sites of one sample; net points at the sites' first net channel, channel c at
/// net + c·volume, as <see cref="CouplingShape.Parameters{TF}"/> lays them out.
/// </summary>
internal unsafe interface ICouplingLanes<TT> where TT : struct, ICouplingTransform
{
    /// <summary>y = g(x; p), or x = g⁻¹(y; p) when <paramref name="inverse"/>, and log|∂y/∂x|.</summary>
    static abstract TV Transform<TL, TV>(TT transform, TV x, float* net, int volume, bool inverse, out TV logJ) where TL : struct, ILanes<TV> where TV : unmanaged;

    /// <summary>
    /// ∂L/∂x of the active sites, and ∂L/∂p_c into grad + c·volume for every site (masked by <paramref name="active"/>:
    /// frozen sites get 0), from g = ∂L/∂y and gl = ∂L/∂(log|∂y/∂x|).
    /// </summary>
    static abstract TV Backward<TL, TV>(TT transform, TV x, float* net, int volume, TV g, TV gl, TV active, float* grad) where TL : struct, ILanes<TV> where TV : unmanaged;
}

/// <summary>
/// <see cref="AffineTransform"/>: y = x·e^s + t, x = (y − t)·e^{−s}, log J = s, with s the raw log-scale ŝ or, with a
/// clamp c, ŝ/(1 + |ŝ|/c) and ds/dŝ = 1/(1 + |ŝ|/c)², in the body's operations (see <see cref="CouplingTwins"/>).
/// </summary>
internal readonly unsafe struct AffineLanes : ICouplingLanes<AffineTransform>
{
    public static TV Transform<TL, TV>(AffineTransform transform, TV x, float* net, int volume, bool inverse, out TV logJ)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        TV logScale = LogScale<TL, TV>(transform.Clamp, TL.Load(net)), t = TL.Load(net + volume);
        logJ = logScale;
        return inverse ? TL.Multiply(TL.Subtract(x, t), TL.Exp(TL.Subtract(TL.Zero, logScale))) : TL.Add(TL.Multiply(x, TL.Exp(logScale)), t);
    }

    // AffineTransform.Backward: (g·x·e + g_l)·ds/dŝ; unclamped ds/dŝ = 1 and the product by it is exact, so it is left out.
    public static TV Backward<TL, TV>(AffineTransform transform, TV x, float* net, int volume, TV g, TV gl, TV active, float* grad)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        float c = transform.Clamp;
        TV raw = TL.Load(net), e = TL.Exp(LogScale<TL, TV>(c, raw));
        TV gs = TL.Add(TL.Multiply(TL.Multiply(g, x), e), gl);
        if (c > 0f)
        {
            TV d = TL.Add(TL.Broadcast(1f), TL.Divide(TL.Abs(raw), TL.Broadcast(c)));
            gs = TL.Multiply(gs, TL.Divide(TL.Broadcast(1f), TL.Multiply(d, d)));
        }
        TL.Store(grad, TL.And(gs, active));
        TL.Store(grad + volume, TL.And(g, active));
        return TL.Multiply(g, e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LogScale<TL, TV>(float clamp, TV raw) where TL : struct, ILanes<TV> where TV : unmanaged =>
        clamp > 0f ? TL.Divide(raw, TL.Add(TL.Broadcast(1f), TL.Divide(TL.Abs(raw), TL.Broadcast(clamp)))) : raw;
}

/// <summary><see cref="AdditiveTransform"/>: y = x + t, x = y − t, log J = 0; ∂L/∂t = g, ∂L/∂x = g. Exact: no exp.</summary>
internal readonly unsafe struct AdditiveLanes : ICouplingLanes<AdditiveTransform>
{
    public static TV Transform<TL, TV>(AdditiveTransform transform, TV x, float* net, int volume, bool inverse, out TV logJ)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        logJ = TL.Zero;
        return inverse ? TL.Subtract(x, TL.Load(net)) : TL.Add(x, TL.Load(net));
    }

    public static TV Backward<TL, TV>(AdditiveTransform transform, TV x, float* net, int volume, TV g, TV gl, TV active, float* grad)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        TL.Store(grad, TL.And(g, active));
        return g;
    }
}

/// <summary>One sample of <see cref="CouplingTransformKernel{TF, TI, TT}"/> in lanes (see <see cref="CouplingTwins"/>).</summary>
internal readonly unsafe struct CouplingTransformTwin<TL, TV, TX, TT>(CouplingTransformKernel<HostFloats, HostInts, TT> body) : IKernel
    where TL : struct, ILanes<TV> where TV : unmanaged where TX : struct, ICouplingLanes<TT> where TT : struct, ICouplingTransform
{
    private readonly CouplingTransformKernel<HostFloats, HostInts, TT> _body = body;

    public void Execute(int b)
    {
        var k = _body;
        var c = k.Shape;
        int v = c.Volume, o = b * v, s = 0;
        float* input = k.Source.Pointer + o, output = k.Destination.Pointer + o, logJ = k.LogJ.Pointer + o, net = k.NetOutput.Pointer + b * c.Channels * v;
        for (; s + TL.Count <= v; s += TL.Count)
        {
            TV x = TL.Load(input + s);
            TV y = TX.Transform<TL, TV>(k.Transform, x, net + s, v, k.Inverse != 0, out var lj);
            TV active = TL.EqualsInt(k.Parity.Pointer + s, c.Active);
            TL.Store(output + s, TL.Select(active, y, x));
            TL.Store(logJ + s, TL.And(lj, active));
        }
        for (; s < v; s++) k.Site(b, s);
    }
}

/// <summary>One sample of <see cref="CouplingBackwardKernel{TF, TI, TT}"/> in lanes (see <see cref="CouplingTwins"/>).</summary>
internal readonly unsafe struct CouplingBackwardTwin<TL, TV, TX, TT>(CouplingBackwardKernel<HostFloats, HostInts, TT> body) : IKernel
    where TL : struct, ILanes<TV> where TV : unmanaged where TX : struct, ICouplingLanes<TT> where TT : struct, ICouplingTransform
{
    private readonly CouplingBackwardKernel<HostFloats, HostInts, TT> _body = body;

    public void Execute(int b)
    {
        var k = _body;
        var c = k.Shape;
        int v = c.Volume, o = b * v, s = 0;
        float* x = k.X.Pointer + o, gradY = k.GradY.Pointer + o, gradX = k.GradX.Pointer + o;
        float* net = k.NetOutput.Pointer + b * c.Channels * v, gradNet = k.GradNetOutput.Pointer + b * c.Channels * v;
        TV logDetGrad = TL.Broadcast(k.LogDetGrad);
        for (; s + TL.Count <= v; s += TL.Count)
        {
            // ∂L/∂y is read before ∂L/∂x is written: the flow passes one buffer for both.
            TV g = TL.Load(gradY + s);
            TV active = TL.EqualsInt(k.Parity.Pointer + s, c.Active);
            // Frozen sites pass g and have no ∂L/∂p.
            TV gx = TX.Backward<TL, TV>(k.Transform, TL.Load(x + s), net + s, v, g, logDetGrad, active, gradNet + s);
            TL.Store(gradX + s, TL.Select(active, gx, g));
        }
        for (; s < v; s++) k.Site(b, s);
    }
}
