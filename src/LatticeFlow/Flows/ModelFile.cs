using System.Text.Json.Serialization;
using System.Text.Json;
using LatticeFlow.Devices;
using LatticeFlow.Physics;

namespace LatticeFlow.Flows;

/// <summary>What a model file says about itself (the JSON header).</summary>
public sealed record ModelHeader
{
    public string Format { get; init; } = ModelFile.FormatName;
    public int FormatVersion { get; init; } = ModelFile.Version;
    public required int Lx { get; init; }
    public required int Ly { get; init; }
    public required int Layers { get; init; }
    public required int[] Hidden { get; init; }
    public required int Kernel { get; init; }
    public required string Coupling { get; init; }
    public required string Activation { get; init; }
    public required bool FinalTanh { get; init; }
    /// <summary>Format 2: a Z2-equivariant flow (each coupling averaged over φ → −φ); absent (false) in format 1.</summary>
    public bool Equivariant { get; init; }
    /// <summary>Format 2: a global rescaling layer after the couplings, whose parameter is the last weight.</summary>
    public bool GlobalScale { get; init; }
    /// <summary>Format 2: the affine couplings' soft clamp of the log-scale (0: none).</summary>
    public double Clamp { get; init; }
    /// <summary>Format 3: a spline flow's bins K (absent for other couplings).</summary>
    public int? Bins { get; init; }
    /// <summary>Format 3: a spline flow's interval [−B, B] (absent for other couplings).</summary>
    public double? Bound { get; init; }
    /// <summary>
    /// Format 4: a spectrum-scaling layer before the couplings, whose parameters are the last weights; written only when
    /// true, so a flow without it has the header it had before format 4.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool SpectrumScaling { get; init; }
    /// <summary>Format 2: the models this one was trained from (<c>train --init-from</c>), oldest first.</summary>
    public List<ModelAncestor> Lineage { get; init; } = [];

    private readonly IActionParameters? _action;
    private readonly double? _m2, _lambda;

    /// <summary>
    /// The action the flow was trained for, its parameters record written whole ("action": {"name": "phi4", "m2": −4,
    /// "lambda": 8}). Files written before it have only "m2" and "lambda", read into it.
    /// </summary>
    /// <exception cref="InvalidInputException">A header that records no action.</exception>
    public IActionParameters Action
    {
        get => Phi4Couplings.RecordOr(_action, _m2, _lambda, null, null, "model file");
        init => _action = value;
    }

    // φ⁴'s m2 and lambda, as every format so far has them: still written (from Action), because builds before the action
    // record require them to read the file at all; read only from files written before "action".
    [JsonInclude, JsonPropertyName("m2")] private double? OldM2 { get => _action is null ? _m2 : (_action as Phi4Couplings)?.M2; init => _m2 = value; }
    [JsonInclude, JsonPropertyName("lambda")] private double? OldLambda { get => _action is null ? _lambda : (_action as Phi4Couplings)?.Lambda; init => _lambda = value; }
    public required int ParameterCount { get; init; }
    public string CodeVersion { get; init; } = LatticeFlow.CodeVersion.Current;
    public string Created { get; init; } = DateTime.UtcNow.ToString("O");
    /// <summary>Training summary: settings and the figures it ended with.</summary>
    public Dictionary<string, JsonElement> Training { get; init; } = [];
    /// <summary>Adam's step count when the file carries optimiser moments (a checkpoint), else null.</summary>
    public long? OptimizerStep { get; init; }

    public FlowArchitecture Architecture() => new FlowArchitecture
    {
        Lx = Lx,
        Ly = Ly,
        Layers = Layers,
        Hidden = Hidden,
        Kernel = Kernel,
        Coupling = CouplingNames.TryParse(Coupling) is CouplingKind kind && (kind != CouplingKind.Spline || FormatVersion >= 3)
            ? kind : throw new InvalidInputException($"model file: unknown coupling '{Coupling}'"),
        Activation = ActivationNames.Parse(Activation),
        FinalTanh = FinalTanh,
        Equivariant = Equivariant,
        GlobalScale = GlobalScale,
        SpectrumScaling = !SpectrumScaling || FormatVersion >= 4 ? SpectrumScaling
            : throw new InvalidInputException($"model file: spectrum_scaling in a format {FormatVersion} header (the layer needs format 4)"),
        Clamp = Clamp,
        Bins = Bins ?? new FlowArchitecture { Lx = Lx, Ly = Ly }.Bins,
        Bound = Bound ?? new FlowArchitecture { Lx = Lx, Ly = Ly }.Bound,
    }.Validated();

    /// <summary>
    /// The header of a flow in the oldest format that holds it: 4 with a spectrum scaling, 3 with spline couplings (which
    /// code that reads only older formats must refuse), else 2, which every reader since the equivariant flows reads.
    /// </summary>
    public static ModelHeader For(FlowArchitecture a, IActionParameters action) => new()
    {
        FormatVersion = a.SpectrumScaling ? 4 : a.Coupling == CouplingKind.Spline ? 3 : 2,
        Lx = a.Lx,
        Ly = a.Ly,
        Layers = a.Layers,
        Hidden = a.Hidden,
        Kernel = a.Kernel,
        Coupling = CouplingNames.Name(a.Coupling),
        Activation = ActivationNames.Name(a.Activation),
        FinalTanh = a.FinalTanh,
        Equivariant = a.Equivariant,
        GlobalScale = a.GlobalScale,
        SpectrumScaling = a.SpectrumScaling,
        Clamp = a.Clamp,
        Bins = a.Coupling == CouplingKind.Spline ? a.Bins : null,
        Bound = a.Coupling == CouplingKind.Spline ? a.Bound : null,
        Action = action,
        ParameterCount = a.ParameterCount,
    };
}

/// <summary>A model a training run started from: where it was, its checksum, lattice, action and training steps.</summary>
public sealed record ModelAncestor
{
    public required string Path { get; init; }
    public required string Sha256 { get; init; }
    public required int Lx { get; init; }
    public required int Ly { get; init; }

    private readonly IActionParameters? _action;
    private readonly double? _m2, _lambda;

    /// <summary>Its action, the parameters record written whole; lineages written before it have "m2" and "lambda", read into it.</summary>
    /// <exception cref="InvalidInputException">An entry that records no action.</exception>
    public IActionParameters Action
    {
        get => Phi4Couplings.RecordOr(_action, _m2, _lambda, null, null, "model file lineage");
        init => _action = value;
    }

    // Lineages written before the action record: read into Action, never written (the getters are null).
    [JsonInclude, JsonPropertyName("m2"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] private double? OldM2 { get => null; init => _m2 = value; }
    [JsonInclude, JsonPropertyName("lambda"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] private double? OldLambda { get => null; init => _lambda = value; }

    public required long Steps { get; init; }
}

/// <summary>A model file's contents: header, weights, and Adam's moments when it is a checkpoint.</summary>
public sealed record ModelFileContents(ModelHeader Header, float[] Weights, float[]? AdamM, float[]? AdamV)
{
    /// <summary>The file's SHA-256 (of everything before it, as stored at its end), in hex: the model's identity.</summary>
    public string Checksum { get; init; } = "";

    public RealNvpFlow ToFlow(ComputeDevice device)
    {
        var flow = new RealNvpFlow(Header.Architecture(), device);
        flow.Parameters.SetValues(Weights);
        return flow;
    }
}

/// <summary>
/// The model file (.lfm), self-describing and versioned: a <see cref="Files.BinaryContainer{THeader}"/> of kind
/// "LFFLOW01" whose header is the <see cref="ModelHeader"/> (architecture, action parameters, lattice, training summary)
/// and whose payload is int32 n and n float32 weights in <see cref="ParameterStore"/> order, then int32 m and m float32
/// optimiser moments (0 for a model, 2n for a checkpoint: Adam m then v). Written atomically, so a crash mid-write
/// leaves the previous file intact.
/// </summary>
public static class ModelFile
{
    public const string FormatName = "latticeflow-flow";
    /// <summary>
    /// The newest format this build reads and writes. 1: the tutorial's flows; 2 adds equivariant, global_scale, clamp and
    /// lineage (a version 1 file reads as a flow without them); 3 adds spline couplings (coupling "spline", bins, bound);
    /// 4 adds spectrum_scaling.
    /// A file is written in the oldest format that holds its flow (<see cref="ModelHeader.For"/>), so affine and
    /// additive flows stay readable by builds that read format 2, and a spline flow is refused by them as "a newer
    /// LatticeFlow wrote it".
    /// </summary>
    public const int Version = 4;

    // The project's JSON conventions, except that absent values (a format-2 flow's bins and bound, a model's optimiser
    // step) are left out rather than written as null: "absent" is how a newer field reads in an older format.
    private static readonly Files.BinaryContainer<ModelHeader> Container = new("LFFLOW01", "model file",
        new JsonSerializerOptions(Files.JsonFiles.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull });

    /// <exception cref="ArgumentException">The weights are not the header's parameter count.</exception>
    public static void Write(string path, ModelHeader header, ReadOnlySpan<float> weights, ReadOnlySpan<float> adamM = default, ReadOnlySpan<float> adamV = default)
    {
        if (weights.Length != header.ParameterCount) throw new ArgumentException($"{weights.Length} weights for {header.ParameterCount} parameters");
        // Spans cannot be captured by the payload's lambda.
        float[] w = weights.ToArray(), m = adamM.ToArray(), v = adamV.ToArray();
        Container.Write(path, header, p =>
        {
            p.Int32(w.Length);
            p.Floats(w);
            p.Int32(m.Length + v.Length);
            p.Floats(m);
            p.Floats(v);
        });
    }

    /// <summary>Reads and validates a model file; any defect is an <see cref="InvalidInputException"/> that names it.</summary>
    public static ModelFileContents Read(string path) => Container.Read(path, (header, r) =>
    {
        if (header.Format != FormatName) throw new InvalidInputException($"{path}: format '{header.Format}', expected '{FormatName}'");
        if (header.FormatVersion is < 1 or > Version)
            throw new InvalidInputException($"{path}: model format version {header.FormatVersion}; this build reads versions 1 to {Version} (a newer LatticeFlow wrote it)");
        var arch = header.Architecture();
        if (arch.ParameterCount != header.ParameterCount)
            throw new InvalidInputException($"{path}: header says {header.ParameterCount} parameters, the architecture has {arch.ParameterCount}");
        int n = r.Int32();
        if (n != header.ParameterCount) throw new InvalidInputException($"{path}: {n} weights stored, the architecture needs {header.ParameterCount}");
        var weights = r.Floats(n);
        int moments = r.Int32();
        if (moments != 0 && moments != 2 * n) throw new InvalidInputException($"{path}: {moments} optimiser values for {n} parameters");
        float[]? m = moments == 0 ? null : r.Floats(n), v = moments == 0 ? null : r.Floats(n);
        if (weights.Any(w => !float.IsFinite(w))) throw new InvalidInputException($"{path}: the weights contain NaN or infinity");
        return new ModelFileContents(header, weights, m, v) { Checksum = r.Sha256 };
    });

    /// <summary>Checks that a model was trained for this lattice and action (the action records compared as wholes).</summary>
    public static void CheckMatches(ModelHeader header, int lx, int ly, IActionParameters action, string path)
    {
        if (header.Lx != lx || header.Ly != ly)
            throw new InvalidInputException($"{path}: trained on the {header.Lx}x{header.Ly} lattice, asked for {lx}x{ly}");
        if (!header.Action.Equals(action))
            throw new InvalidInputException($"{path}: trained for the action {Actions.Describe(header.Action)}, asked for {Actions.Describe(action)}");
    }
}
