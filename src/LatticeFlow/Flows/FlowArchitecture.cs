namespace LatticeFlow.Flows;

/// <summary>
/// Shape of a Real NVP flow on an Lx × Ly lattice (Albergo et al. 2019, Sec. III; tutorial arXiv:2101.08176):
/// <c>Layers</c> checkerboard couplings of alternating parity, each with a conv net 1 → hidden… → 2 (affine) or 1 (additive),
/// kernel <c>Kernel</c> × <c>Kernel</c> with circular padding, <c>Activation</c> between layers and a final tanh when
/// <c>FinalTanh</c>. The tutorial's model is <see cref="Tutorial"/>.
/// </summary>
public sealed record FlowArchitecture
{
    public required int Lx { get; init; }
    public required int Ly { get; init; }
    public int Layers { get; init; } = 16;
    public int[] Hidden { get; init; } = [8, 8];
    public int Kernel { get; init; } = 3;
    public CouplingKind Coupling { get; init; } = CouplingKind.Affine;
    public ActivationKind Activation { get; init; } = ActivationKind.LeakyRelu;
    public bool FinalTanh { get; init; } = true;

    /// <summary>
    /// Z2-equivariant: f(−z) = −f(z), so q(−φ) = q(φ) (Del Debbio et al., arXiv:2105.12481, build it into the nets). Here each
    /// coupling averages its net over the group: its transform's parameters are ½[n(x_f) + P n(−x_f)] with the
    /// transform's mirror P of its parameters (for affine, s even and t odd), which commutes with φ → −φ for any net
    /// (biases and any activation) and keeps the coupling smooth; it costs a second pass of every net.
    /// </summary>
    public bool Equivariant { get; init; }

    /// <summary>Affine couplings: soft-clamp the log-scale to (−c, c), s = ŝ/(1 + |ŝ|/c) (zuko); 0: no clamp.</summary>
    public double Clamp { get; init; }

    /// <summary>A learnable global rescaling φ → e^a φ after the couplings (anvil's GlobalRescaling), one parameter.</summary>
    public bool GlobalScale { get; init; }

    /// <summary>
    /// A learnable Gaussian layer in momentum space before the couplings, z → F⁻¹ σ(k) F z (<see cref="SpectrumScalingLayer"/>,
    /// bijx's SpectrumScaling): the long-range correlations in <see cref="SpectrumScalingLayer.ParameterCount"/> parameters.
    /// </summary>
    public bool SpectrumScaling { get; init; }

    /// <summary>Spline couplings: bins K of the rational-quadratic spline (net outputs 3K − 1, or 3K equivariant).</summary>
    public int Bins { get; init; } = 8;

    /// <summary>Spline couplings: the spline acts on [−B, B], the identity outside.</summary>
    public double Bound { get; init; } = 4;

    /// <summary>L = 8, 16 affine layers, conv nets 1 → 8 → 8 → 2 with 3 × 3 kernels, LeakyReLU, final tanh.</summary>
    public static FlowArchitecture Tutorial(int l = 8) => new() { Lx = l, Ly = l };

    public int Volume => Lx * Ly;
    public int Taps => Kernel * Kernel;
    public int NetOutputs => CouplingTransforms.For(this).Channels;


    /// <summary>Channel widths of one conv net, input to output: 1, hidden…, outputs.</summary>
    public int[] Channels => [1, .. Hidden, NetOutputs];

    public int ParameterCount
    {
        get
        {
            var c = Channels;
            int perNet = 0;
            for (int j = 0; j + 1 < c.Length; j++) perNet += c[j + 1] * c[j] * Taps + c[j + 1];
            return Layers * perNet + (GlobalScale ? 1 : 0) + (SpectrumScaling ? SpectrumScalingLayer.ParameterCount : 0);
        }
    }

    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    public FlowArchitecture Validated()
    {
        _ = new Lattice.LatticeGeometry(Lx, Ly); // the checkerboard masks must tile the lattice, as the samplers' must
        if (Layers < 1) throw new InvalidSettingException(SettingNames.Layers, Layers, "need at least one coupling layer");
        if (Kernel < 1 || Kernel % 2 == 0) throw new InvalidSettingException(SettingNames.Kernel, Kernel, "the kernel size must be odd and positive (centred convolution)");
        if (Kernel > Lx || Kernel > Ly) throw new InvalidSettingException(SettingNames.Kernel, Kernel, $"larger than the {Lx}x{Ly} lattice");
        if (Hidden is null || Hidden.Any(h => h < 1 || h > 1024))
            throw new InvalidSettingException(SettingNames.Hidden, string.Join(",", Hidden ?? []), "widths must be between 1 and 1024");
        if (!(Clamp >= 0) || !double.IsFinite(Clamp)) throw new InvalidSettingException(SettingNames.Clamp, Clamp, "must be ≥ 0 (0: no clamp)");
        if (Clamp > 0 && Coupling != CouplingKind.Affine)
            throw new InvalidSettingException(SettingNames.Clamp, Clamp, "only the affine coupling has a log-scale to clamp");
        if (Coupling == CouplingKind.Spline)
        {
            if (Bins < 2 || Bins > Kernels.Flows.RationalQuadraticSpline.MaxBins)
                throw new InvalidSettingException(SettingNames.Bins, Bins, $"a spline needs between 2 and {Kernels.Flows.RationalQuadraticSpline.MaxBins} bins");
            if (!(Bound > 0) || !double.IsFinite(Bound) || Bound > 1e6)
                throw new InvalidSettingException(SettingNames.Bound, Bound, "the spline's interval [-B, B] needs 0 < B ≤ 1e6");
        }
        return this;
    }

    public string Describe() =>
        $"{Layers} {(Equivariant ? "Z2-equivariant " : "")}{CouplingNames.Name(Coupling)}{(Coupling == CouplingKind.Spline ? FormattableString.Invariant($" ({Bins} bins on [-{Bound:G6}, {Bound:G6}])") : "")} couplings, conv {string.Join("→", Channels)} ({Kernel}x{Kernel}, {ActivationNames.Name(Activation)}{(FinalTanh ? ", final tanh" : "")}{(Clamp > 0 ? $", log-scale clamped to ±{Clamp:G3}" : "")}){(GlobalScale ? ", global rescaling" : "")}{(SpectrumScaling ? ", spectrum scaling" : "")}, {ParameterCount} parameters";

    /// <summary>The same network on another lattice: everything but Lx and Ly (conv weights do not depend on the volume).</summary>
    public bool SameNetworkAs(FlowArchitecture other) =>
        Layers == other.Layers && Hidden.SequenceEqual(other.Hidden) && Kernel == other.Kernel && Coupling == other.Coupling
        && Activation == other.Activation && FinalTanh == other.FinalTanh && Equivariant == other.Equivariant && GlobalScale == other.GlobalScale
        && SpectrumScaling == other.SpectrumScaling
        && Clamp == other.Clamp && (Coupling != CouplingKind.Spline || (Bins == other.Bins && Bound == other.Bound));
}

/// <summary>
/// Affine (Real NVP, arXiv:1605.08803), additive (NICE, arXiv:1410.8516) or rational-quadratic spline
/// (neural spline flows, arXiv:1906.04032) coupling.
/// </summary>
public enum CouplingKind { Affine, Additive, Spline }

/// <summary>Names of coupling kinds on the command line, in sweep files and in model files.</summary>
public static class CouplingNames
{
    public static string Name(CouplingKind c) => c switch
    {
        CouplingKind.Affine => "affine",
        CouplingKind.Additive => "additive",
        CouplingKind.Spline => "spline",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    /// <summary>The kind named <paramref name="name"/>, or null where it names none.</summary>
    public static CouplingKind? TryParse(string name) => name.ToLowerInvariant() switch
    {
        "affine" => CouplingKind.Affine,
        "additive" => CouplingKind.Additive,
        "spline" => CouplingKind.Spline,
        _ => null,
    };

    /// <exception cref="InvalidSettingException">Not a coupling's name.</exception>
    public static CouplingKind Parse(string name) =>
        TryParse(name) ?? throw new InvalidSettingException(SettingNames.Coupling, name, "unknown coupling (affine, additive or spline)");
}

/// <summary>Hidden-layer activation of the conv nets.</summary>
public enum ActivationKind { LeakyRelu, Tanh }

/// <summary>Names of activations on the command line and in model files.</summary>
public static class ActivationNames
{
    public static string Name(ActivationKind a) => a == ActivationKind.LeakyRelu ? "leaky_relu" : "tanh";

    /// <exception cref="InvalidSettingException">Not an activation's name.</exception>
    public static ActivationKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "leaky_relu" or "leakyrelu" or "leaky-relu" => ActivationKind.LeakyRelu,
        "tanh" => ActivationKind.Tanh,
        _ => throw new InvalidSettingException(SettingNames.Activation, name, "unknown activation (leaky_relu or tanh)"),
    };

    public static int Code(ActivationKind a) => a == ActivationKind.LeakyRelu ? Kernels.Flows.ActivationCode.LeakyRelu : Kernels.Flows.ActivationCode.Tanh;
}
