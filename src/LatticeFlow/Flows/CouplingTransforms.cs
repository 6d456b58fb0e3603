using ILGPU;
using LatticeFlow.Devices;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Flows;

/// <summary>
/// A coupling transform bound to its kernel struct (<see cref="ICouplingTransform"/>): the host side of the seam. It
/// launches the coupling kernels closed with the struct, so no kernel tests a kind at run time (DESIGN.md principle 7).
/// </summary>
public abstract class CouplingTransform
{
    /// <summary>The name in model files and on the command line, e.g. "affine".</summary>
    public abstract string Name { get; }

    /// <summary>Net outputs per site.</summary>
    public abstract int Channels { get; }

    /// <summary>y (or x, inverse) of the active sites and log|∂y/∂x| per site into <paramref name="logJ"/>.</summary>
    internal abstract void Apply(ComputeDevice device, CouplingShape c, ArrayView<int> parity, ArrayView<float> source, ArrayView<float> netOutput,
        ArrayView<float> destination, ArrayView<float> logJ, bool inverse);

    /// <summary>∂L/∂x into gradX and ∂L/∂p into gradNetOutput (see <see cref="CouplingBackwardKernel{TF, TI, TT}"/>).</summary>
    internal abstract void Backward(ComputeDevice device, CouplingShape c, ArrayView<int> parity, ArrayView<float> x, ArrayView<float> netOutput,
        ArrayView<float> gradY, ArrayView<float> gradX, ArrayView<float> gradNetOutput, float logDetGrad);

    /// <summary>The group-averaged parameters of a mirrored coupling (<see cref="MirrorParametersKernel{TF, TI, TT}"/>).</summary>
    internal abstract void Mirror(ComputeDevice device, CouplingShape c, ArrayView<int> parity, ArrayView<float> netOutput, ArrayView<float> parameters);

    /// <summary>Backward of <see cref="Mirror"/> into the net's output gradient.</summary>
    internal abstract void MirrorBackward(ComputeDevice device, CouplingShape c, ArrayView<int> parity, ArrayView<float> gradParameters, ArrayView<float> gradNetOutput);
}

/// <summary><see cref="CouplingTransform"/> for the kernel struct <typeparamref name="TT"/>.</summary>
internal sealed class CouplingTransform<TT>(string name, TT transform) : CouplingTransform where TT : struct, ICouplingTransform
{
    public override string Name => name;
    public override int Channels => transform.Channels;

    internal override void Apply(ComputeDevice device, CouplingShape c, ArrayView<int> parity, ArrayView<float> source, ArrayView<float> netOutput,
        ArrayView<float> destination, ArrayView<float> logJ, bool inverse) =>
        device.Launch(c.Items, Work(c),
            new CouplingTransformKernel<Floats, Ints, TT>(c, parity, source, netOutput, destination, logJ, transform, inverse ? 1 : 0));

    internal override void Backward(ComputeDevice device, CouplingShape c, ArrayView<int> parity, ArrayView<float> x, ArrayView<float> netOutput,
        ArrayView<float> gradY, ArrayView<float> gradX, ArrayView<float> gradNetOutput, float logDetGrad) =>
        device.Launch(c.Items, Work(c),
            new CouplingBackwardKernel<Floats, Ints, TT>(c, parity, x, netOutput, gradY, gradX, gradNetOutput, logDetGrad, transform));

    // Work in site-equivalents for the launcher: each site reads its Channels parameters (and, but for the additive
    // transform, evaluates an exp or more), so at L = 8, batch 64 an affine coupling's 4096 sites run on all threads.
    private static long Work(CouplingShape c) => (long)c.Batch * c.Volume * c.Channels;

    internal override void Mirror(ComputeDevice device, CouplingShape c, ArrayView<int> parity, ArrayView<float> netOutput, ArrayView<float> parameters) =>
        device.Launch(c.Items, Work(c), new MirrorParametersKernel<Floats, Ints, TT>(c, parity, netOutput, parameters, transform));

    internal override void MirrorBackward(ComputeDevice device, CouplingShape c, ArrayView<int> parity, ArrayView<float> gradParameters, ArrayView<float> gradNetOutput) =>
        device.Launch(c.Items, Work(c), new MirrorParametersBackwardKernel<Floats, Ints, TT>(c, parity, gradParameters, gradNetOutput, transform));
}

/// <summary>
/// The one list of coupling transforms (DESIGN.md principle 7): every flow test enumerates <see cref="All"/>, so a new
/// transform cannot skip the invertibility, Jacobian, gradient, backend and PTX tests. An architecture picks one by
/// its coupling kind (and clamp). Z2 equivariance is not a transform: any of them is made equivariant by averaging its
/// parameters over the frozen sites and their mirror image with the transform's own mirror of its parameters
/// (<see cref="FlowArchitecture.Equivariant"/>, <see cref="ICouplingTransform.MirrorChannel"/>).
/// </summary>
public static class CouplingTransforms
{
    /// <summary>Real NVP's y = x e^s + t (arXiv:1605.08803).</summary>
    public static readonly CouplingTransform Affine = new CouplingTransform<AffineTransform>("affine", new AffineTransform(0f));

    /// <summary>NICE's y = x + t (arXiv:1410.8516).</summary>
    public static readonly CouplingTransform Additive = new CouplingTransform<AdditiveTransform>("additive", default);

    /// <summary>Affine with zuko's soft clamp of the log-scale to (−c, c).</summary>
    public static CouplingTransform ClampedAffine(double clamp) =>
        new CouplingTransform<AffineTransform>($"affine (log-scale clamped to ±{clamp:G3})", new AffineTransform((float)clamp));

    /// <summary>Rational-quadratic spline with <paramref name="bins"/> bins on [−bound, bound] (arXiv:1906.04032).</summary>
    public static CouplingTransform Spline(int bins, double bound) =>
        new CouplingTransform<SplineTransform>(FormattableString.Invariant($"rational-quadratic spline ({bins} bins on [-{bound:G6}, {bound:G6}])"), new SplineTransform(bins, (float)bound));

    public static IReadOnlyList<CouplingTransform> All { get; } = [Affine, ClampedAffine(1.5), Additive, Spline(4, 2)];

    /// <summary>The transform of an architecture.</summary>
    public static CouplingTransform For(FlowArchitecture a) => a.Coupling switch
    {
        CouplingKind.Affine when a.Clamp > 0 => ClampedAffine(a.Clamp),
        CouplingKind.Affine => Affine,
        CouplingKind.Additive => Additive,
        CouplingKind.Spline => Spline(a.Bins, a.Bound),
        _ => throw new ArgumentOutOfRangeException(nameof(a), $"no transform for {a.Coupling}"),
    };
}
