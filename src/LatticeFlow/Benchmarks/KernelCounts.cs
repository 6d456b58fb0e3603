using System.Reflection;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Benchmarks;

/// <summary>
/// Floating-point operations and bytes moved by one launch of each hot kernel, counted once from the kernel bodies
/// (kernels/LatticeFlow.Kernels) so that `bench` can say what fraction of this machine's peak each reaches (issue 16).
/// Conventions, the same for every kernel:
/// <list type="bullet">
/// <item>A flop is one add, subtract, multiply or divide; a multiply-add is 2; exp and log count 1 each (they cost tens of
/// cycles: a kernel dominated by them shows a low flop rate for that reason). Comparisons, selects, negations, absolute
/// values, conversions and integer work are not counted: Philox (20 32 × 32 → 64-bit multiplies per call, half a call per
/// Metropolis site update) is integer work and does not appear.</item>
/// <item>Bytes are compulsory traffic: every element a launch touches read once and every element it writes written
/// once, as if caches kept everything within a launch and nothing between launches (neighbour tables and weights
/// included once per launch). A kernel whose data stays in the caches between launches (a training step at L = 8 fits
/// in L2) can therefore report more GB/s than the memory's triad: that is cache, not a counting error.</item>
/// <item>Useful work only: what the twins or the bodies compute and throw away (the fourth channel of a group of four
/// when the channel count is not a multiple of 4, sites of the wrong colour in a padded SIMD tile) is not counted.</item>
/// </list>
/// The action is φ⁴ (<see cref="Phi4LocalAction"/>, the only one); the coupling counts cover the affine and additive
/// transforms (a spline coupling gets no count). Work units per kernel are in <see cref="Unit"/>.
/// </summary>
public sealed class KernelCounts : IKernelWork
{
    public static KernelCounts Instance { get; } = new();

    /// <summary>The work unit each counted kernel's figures are per, by kernel name (generic arguments left out).</summary>
    public static IReadOnlyDictionary<string, string> Unit { get; } = new Dictionary<string, string>
    {
        ["MetropolisKernel"] = "site update",
        ["ForceKernel"] = "site",
        ["FieldKernel"] = "site",
        ["EnergyKernel"] = "site",
        ["ConvForwardKernel"] = "output site",
        ["ConvWeightGradKernel"] = "output site",
        ["ConvInputGradKernel"] = "input site",
        ["ActivationBackwardKernel"] = "element",
        ["CouplingMaskKernel"] = "site",
        ["CouplingTransformKernel"] = "site",
        ["CouplingLogDetKernel"] = "site",
        ["CouplingBackwardKernel"] = "site",
        ["MaskedAddKernel"] = "site",
    };

    public KernelWork? Of<T>(in T kernel, int items) where T : struct, IKernel => Cache<T>.Count?.Invoke(kernel, items);

    private static class Cache<T> where T : struct, IKernel
    {
        public static readonly Func<T, int, KernelWork?>? Count = Build();

        private static Func<T, int, KernelWork?>? Build()
        {
            var t = typeof(T);
            if (!t.IsGenericType || !Methods.TryGetValue(t.GetGenericTypeDefinition(), out string? name)) return null;
            return typeof(KernelCounts).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(t.GetGenericArguments()).CreateDelegate<Func<T, int, KernelWork?>>();
        }
    }

    private static readonly Dictionary<Type, string> Methods = new()
    {
        [typeof(MetropolisKernel<,>)] = nameof(Metropolis),
        [typeof(ForceKernel<,>)] = nameof(Force),
        [typeof(FieldKernel<>)] = nameof(Field),
        [typeof(EnergyKernel<,>)] = nameof(Energy),
        [typeof(ConvForwardKernel<,>)] = nameof(ConvForward),
        [typeof(ConvWeightGradKernel<,,>)] = nameof(ConvWeightGrad),
        [typeof(ConvInputGradKernel<,>)] = nameof(ConvInputGrad),
        [typeof(ActivationBackwardKernel<>)] = nameof(ActivationBackward),
        [typeof(CouplingMaskKernel<,>)] = nameof(CouplingMask),
        [typeof(CouplingTransformKernel<,,>)] = nameof(CouplingTransform),
        [typeof(CouplingLogDetKernel<,,>)] = nameof(CouplingLogDet),
        [typeof(CouplingBackwardKernel<,,>)] = nameof(CouplingBackward),
        [typeof(MaskedAddKernel<,>)] = nameof(MaskedAdd),
    };

    /// <summary>
    /// Local Metropolis, one colour (<see cref="MetropolisKernel{TV, TA}"/>.Hit), per site update in d dimensions:
    /// neighbour sum 2d − 1 adds; proposal φ + δ(2u − 1) with u = (w + ½)/2³²: 6; the local action
    /// (2d + m²)φ² + λφ⁴ − 2φ·nb twice, 8 each: 16; ΔS 1; the accept uniform 2; log 1: <b>2d + 25 flops</b> (29 in d = 2).
    /// Bytes per launch: the whole field read (the colour's sites and their neighbours, 8 B each), the colour's half
    /// written (8 B), each item's acceptance slot read and written (16 B): 12 B per site of the batch + 16 B per item,
    /// so <b>24 B per site update</b> with one hit (plus 16 B per row).
    /// </summary>
    private static KernelWork? Metropolis<TV, TA>(MetropolisKernel<TV, TA> k, int items)
        where TV : struct, IView<double> where TA : struct, ILocalAction
    {
        if (typeof(TA) != typeof(Phi4LocalAction)) return null;
        var s = k.Shape;
        double updates = s.Sites / 2.0 * k.Hits;
        return new KernelWork((2 * s.Dimensions + 25) * updates, 12.0 * s.Sites + 16.0 * items, updates, false);
    }

    /// <summary>
    /// The force ∂S/∂φ = 2(2d + m²)φ − 2·nb + 4λφ³ (<see cref="ForceKernel{TV, TA}"/>), per site: neighbour sum 2d − 1;
    /// the force 9 (2·D·φ: 2, −2·nb: 2, 4λφ³: 4, the sum 1); as HMC's momentum step (Step = 1) π − εF adds 2:
    /// <b>2d + 10 flops</b> (14 in d = 2), <b>24 B</b> (φ read, π read and written; neighbours reused); Step = 0 (the force
    /// written): 2d + 8 flops, 16 B.
    /// </summary>
    private static KernelWork? Force<TV, TA>(ForceKernel<TV, TA> k, int items)
        where TV : struct, IView<double> where TA : struct, ILocalAction
    {
        if (typeof(TA) != typeof(Phi4LocalAction)) return null;
        var s = k.Shape;
        bool momentum = k.Step != 0;
        return new KernelWork((2 * s.Dimensions + (momentum ? 10 : 8)) * (double)s.Sites, (momentum ? 24.0 : 16.0) * s.Sites, s.Sites, false);
    }

    /// <summary>HMC's field step φ ← φ + επ (<see cref="FieldKernel{TV}"/>), per site: <b>2 flops, 24 B</b> (φ, π read; φ written).</summary>
    private static KernelWork? Field<TV>(FieldKernel<TV> k, int items) where TV : struct, IView<double>
    {
        double sites = (double)items * k.Width;
        return new KernelWork(2 * sites, 24 * sites, sites, false);
    }

    /// <summary>
    /// Row sums of the action density (<see cref="EnergyKernel{TV, TA}"/>), per site: forward kinetic Σ_μ (φ(x+μ̂) − φ)²
    /// 3d − 1; the site term + m²φ² + λφ⁴ 6; the running sum 1; with momenta ½π² and its add 3: <b>3d + 9 flops</b> (15 in
    /// d = 2; 3d + 6 without momenta), <b>16 B</b> (φ and π read; 8 without momenta), and 8 B per row sum written.
    /// </summary>
    private static KernelWork? Energy<TV, TA>(EnergyKernel<TV, TA> k, int items)
        where TV : struct, IView<double> where TA : struct, ILocalAction
    {
        if (typeof(TA) != typeof(Phi4LocalAction)) return null;
        var s = k.Shape;
        bool momenta = k.WithMomenta != 0;
        return new KernelWork((3 * s.Dimensions + (momenta ? 9 : 6)) * (double)s.Sites, (momenta ? 16.0 : 8.0) * s.Sites + 8.0 * s.Rows, s.Sites, false);
    }

    /// <summary>
    /// Convolution forward (<see cref="ConvForwardKernel{TF, TI}"/>), per output site (a site of colour Parity, or every site):
    /// <b>2·C_in·C_out·K² flops</b> (one multiply-add per input channel, output channel and tap; the bias starts the sum;
    /// the activation, 1 op for LeakyReLU, is not counted). Bytes per launch, float32: the input B·C_in·V, the weights
    /// C_out·C_in·K² and biases C_out, the output B·C_out·V_out written, the tap table V·K² and the parity table V (ints).
    /// </summary>
    private static KernelWork? ConvForward<TF, TI>(ConvForwardKernel<TF, TI> k, int items)
        where TF : struct, IView<float> where TI : struct, IView<int>
    {
        var c = k.Shape;
        double outSites = (double)c.Batch * OutputSites(c);
        double flops = 2.0 * c.InChannels * c.OutChannels * c.Taps * outSites;
        double floats = (double)c.Batch * c.InChannels * c.Volume + c.Parameters + outSites * c.OutChannels;
        return new KernelWork(flops, 4 * (floats + Tables(c, c.Parity >= 0)), outSites, true);
    }

    /// <summary>
    /// Parameter gradients (<see cref="ConvWeightGradKernel{TF, TI, TD}"/>): per output site 2·C_in·C_out·K² flops (one
    /// multiply-add per weight), and the bias sums add C_out per site of every colour (the kernel sums every site's
    /// gradient; those off colour are zero): <b>2·C_in·C_out·K²·B·V_out + C_out·B·V flops</b>. Bytes: the output gradient
    /// B·C_out·V and the input B·C_in·V read, each parameter gradient read and written (with several slices, each slice's
    /// partial sums written in double instead), the tap and parity tables.
    /// </summary>
    private static KernelWork? ConvWeightGrad<TF, TI, TD>(ConvWeightGradKernel<TF, TI, TD> k, int items)
        where TF : struct, IView<float> where TI : struct, IView<int> where TD : struct, IView<double>
    {
        var c = k.Shape;
        double outSites = (double)c.Batch * OutputSites(c);
        double flops = 2.0 * c.InChannels * c.OutChannels * c.Taps * outSites + (double)c.OutChannels * c.Batch * c.Volume;
        double bytes = 4.0 * c.Batch * (c.OutChannels + c.InChannels) * c.Volume
            + (c.Slices == 1 ? 8.0 * c.Parameters : 8.0 * c.Parameters * c.Slices) + 4 * Tables(c, c.Parity >= 0);
        return new KernelWork(flops, bytes, outSites, true);
    }

    /// <summary>
    /// Input gradient, the transposed convolution (<see cref="ConvInputGradKernel{TF, TI}"/>), per input site computed (of
    /// colour InputParity, or every site): one multiply-add per input channel, output channel and tap that reaches an
    /// output site of colour Parity: <b>2·C_in·C_out·n flops</b>, n = K² when every output site counts; on a checkerboard
    /// (L even) a tap (dx, dy) keeps colour when dx + dy is even, so n = (K² + 1)/2 (5 of 9) when InputParity = Parity,
    /// K²/2 rounded down (4 of 9) when they differ, and K²/2 on average over both colours when InputParity &lt; 0.
    /// Bytes: the output gradient B·C_out·V_out and weights read, the input gradient B·C_in·V_in written, the tables.
    /// </summary>
    private static KernelWork? ConvInputGrad<TF, TI>(ConvInputGradKernel<TF, TI> k, int items)
        where TF : struct, IView<float> where TI : struct, IView<int>
    {
        var c = k.Shape;
        double inSites = k.InputParity >= 0 ? c.Volume / 2 : c.Volume;
        double taps = c.Parity < 0 ? c.Taps
            : k.InputParity < 0 ? c.Taps / 2.0
            : k.InputParity == c.Parity ? (c.Taps + 1) / 2 : c.Taps / 2;
        double flops = 2.0 * c.InChannels * c.OutChannels * taps * inSites * c.Batch;
        double floats = (double)c.Batch * OutputSites(c) * c.OutChannels + c.OutChannels * c.InChannels * c.Taps + c.Batch * inSites * c.InChannels;
        return new KernelWork(flops, 4 * (floats + Tables(c, c.Parity >= 0 || k.InputParity >= 0)), inSites * c.Batch, true);
    }

    /// <summary>
    /// g ← g·act′(y) (<see cref="ActivationBackwardKernel{TF}"/>), per element: <b>1 flop</b> (LeakyReLU, identity: act′ is
    /// a select) or 3 (tanh: 1 − y², then the product); <b>12 B</b> (y read, g read and written).
    /// </summary>
    private static KernelWork? ActivationBackward<TF>(ActivationBackwardKernel<TF> k, int items) where TF : struct, IView<float>
    {
        double elements = (double)items * k.Width;
        return new KernelWork((k.Activation == ActivationCode.Tanh ? 3 : 1) * elements, 12 * elements, elements, true);
    }

    /// <summary>
    /// The net's input x ⊙ m (<see cref="CouplingMaskKernel{TF, TI}"/>): <b>no flops</b>; per launch the frozen half of x read,
    /// B·V floats written (twice when mirrored), the parity table: 6 B per site (+4 mirrored).
    /// </summary>
    private static KernelWork? CouplingMask<TF, TI>(CouplingMaskKernel<TF, TI> k, int items)
        where TF : struct, IView<float> where TI : struct, IView<int>
    {
        var c = k.Shape;
        double sites = (double)c.Batch * c.Volume;
        return new KernelWork(0, 4 * (sites / 2 + sites * (1 + c.Mirrored) + c.Volume), sites, true);
    }

    /// <summary>
    /// The element-wise transform (<see cref="CouplingTransformKernel{TF, TI, TT}"/>), per active site (half the sites):
    /// affine y = x·e^s + t (or its inverse (y − t)·e^−s) <b>3 flops</b> (exp, multiply, add), and the soft clamp
    /// s = ŝ/(1 + |ŝ|/c) 3 more when c &gt; 0; additive y = x + t, 1. Bytes per launch: source read, destination and log J
    /// written on every site (12 B), the transform's C parameters read on active sites (4·C B), the parity table.
    /// </summary>
    private static KernelWork? CouplingTransform<TF, TI, TT>(CouplingTransformKernel<TF, TI, TT> k, int items)
        where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
    {
        if (TransformFlops(k.Transform, backward: false) is not int perActive) return null;
        var c = k.Shape;
        double sites = (double)c.Batch * c.Volume;
        return new KernelWork(perActive * sites / 2, 4 * (3 * sites + c.Channels * sites / 2 + c.Volume), sites, true);
    }

    /// <summary>
    /// log det, Σ_active log J per sample in double (<see cref="CouplingLogDetKernel{TF, TI, TD}"/>): per active site 1 add,
    /// per sample 2 (the sign and the +=): <b>½ flop per site</b>; log J read on active sites, log det read and written.
    /// </summary>
    private static KernelWork? CouplingLogDet<TF, TI, TD>(CouplingLogDetKernel<TF, TI, TD> k, int items)
        where TF : struct, IView<float> where TI : struct, IView<int> where TD : struct, IView<double>
    {
        var c = k.Shape;
        double sites = (double)c.Batch * c.Volume;
        return new KernelWork(sites / 2 + 2.0 * c.Batch, 4 * (sites / 2 + c.Volume) + 16.0 * c.Batch, sites, false);
    }

    /// <summary>
    /// Backward of the transform (<see cref="CouplingBackwardKernel{TF, TI, TT}"/>), per active site, affine: e^s 1, ∂L/∂ŝ =
    /// (g·x·e + g_l)·∂s/∂ŝ 4, ∂L/∂x = g·e 1: <b>6 flops</b>, and with the clamp s(ŝ) 3 and ∂s/∂ŝ = 1/(1 + |ŝ|/c)² 4 more (13);
    /// additive 0. Bytes per launch: g_y read and g_x written on every site, the C parameter gradients written on every
    /// site (zeros on frozen ones), x and the C parameters read on active sites, the parity table.
    /// </summary>
    private static KernelWork? CouplingBackward<TF, TI, TT>(CouplingBackwardKernel<TF, TI, TT> k, int items)
        where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
    {
        if (TransformFlops(k.Transform, backward: true) is not int perActive) return null;
        var c = k.Shape;
        double sites = (double)c.Batch * c.Volume;
        return new KernelWork(perActive * sites / 2, 4 * ((2 + c.Channels) * sites + (1 + c.Channels) * sites / 2 + c.Volume), sites, true);
    }

    /// <summary>
    /// g_x += g_net on frozen sites (<see cref="MaskedAddKernel{TF, TI}"/>): <b>1 flop per frozen site</b> (2 mirrored; ½ per site); the
    /// net's input gradient read (twice mirrored), g_x read and written on frozen sites, the parity table.
    /// </summary>
    private static KernelWork? MaskedAdd<TF, TI>(MaskedAddKernel<TF, TI> k, int items)
        where TF : struct, IView<float> where TI : struct, IView<int>
    {
        var c = k.Shape;
        double frozen = (double)c.Batch * c.Volume / 2;
        return new KernelWork((1 + c.Mirrored) * frozen, 4 * ((1 + c.Mirrored) * frozen + 2 * frozen + c.Volume), 2 * frozen, true);
    }

    private static int? TransformFlops<TT>(TT transform, bool backward) where TT : struct, ICouplingTransform => transform switch
    {
        AffineTransform a => backward ? (a.Clamp > 0 ? 13 : 6) : (a.Clamp > 0 ? 6 : 3),
        AdditiveTransform => backward ? 0 : 1,
        _ => null,
    };

    private static int OutputSites(ConvShape c) => c.Parity >= 0 ? c.Volume / 2 : c.Volume;

    // The tap table (V·K² ints) and, when a colour is selected, the parity table (V ints).
    private static double Tables(ConvShape c, bool parity) => (double)c.Volume * c.Taps + (parity ? c.Volume : 0);
}
