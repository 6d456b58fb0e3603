using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;
using LatticeFlow.Devices;

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
    /// <summary>Format 2: the models this one was trained from (<c>train --init-from</c>), oldest first.</summary>
    public List<ModelAncestor> Lineage { get; init; } = [];
    public required double M2 { get; init; }
    public required double Lambda { get; init; }
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
        Clamp = Clamp,
        Bins = Bins ?? new FlowArchitecture { Lx = Lx, Ly = Ly }.Bins,
        Bound = Bound ?? new FlowArchitecture { Lx = Lx, Ly = Ly }.Bound,
    }.Validated();

    /// <summary>
    /// The header of a flow: format 3 where the flow needs it (spline couplings, which code that reads only up to
    /// format 2 must refuse), else format 2, which every reader since the equivariant flows reads.
    /// </summary>
    public static ModelHeader For(FlowArchitecture a, Physics.Phi4Couplings c) => new()
    {
        FormatVersion = a.Coupling == CouplingKind.Spline ? 3 : 2,
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
        Clamp = a.Clamp,
        Bins = a.Coupling == CouplingKind.Spline ? a.Bins : null,
        Bound = a.Coupling == CouplingKind.Spline ? a.Bound : null,
        M2 = c.M2,
        Lambda = c.Lambda,
        ParameterCount = a.ParameterCount,
    };
}

/// <summary>A model a training run started from: where it was, its checksum, lattice, couplings and training steps.</summary>
public sealed record ModelAncestor(string Path, string Sha256, int Lx, int Ly, double M2, double Lambda, long Steps);

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
/// The model file (.lfm), self-describing and versioned: "LFFLOW01", int32 header length, the UTF-8 JSON
/// <see cref="ModelHeader"/> (architecture, action parameters, lattice, training summary), int32 n and n float32
/// weights in <see cref="ParameterStore"/> order, int32 m and m float32 optimiser moments (0 for a model, 2n for a
/// checkpoint: Adam m then v), and a SHA-256 of everything before it. Little-endian. Written to a temporary file
/// and renamed, so a crash mid-write leaves the previous file intact.
/// </summary>
public static class ModelFile
{
    public const string FormatName = "latticeflow-flow";
    /// <summary>
    /// The newest format this build reads and writes. 1: the tutorial's flows; 2 adds equivariant, global_scale, clamp and
    /// lineage (a version 1 file reads as a flow without them); 3 adds spline couplings (coupling "spline", bins, bound).
    /// A file is written in the oldest format that holds its flow (<see cref="ModelHeader.For"/>), so affine and
    /// additive flows stay readable by builds that read format 2, and a spline flow is refused by them as "a newer
    /// LatticeFlow wrote it".
    /// </summary>
    public const int Version = 3;
    private static readonly byte[] Magic = "LFFLOW01"u8.ToArray();

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static void Write(string path, ModelHeader header, ReadOnlySpan<float> weights, ReadOnlySpan<float> adamM = default, ReadOnlySpan<float> adamV = default)
    {
        if (weights.Length != header.ParameterCount) throw new ArgumentException($"{weights.Length} weights for {header.ParameterCount} parameters");
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, Json);
            w.Write(json.Length);
            w.Write(json);
            WriteFloats(w, weights);
            w.Write(adamM.Length + adamV.Length);
            foreach (float v in adamM) w.Write(v);
            foreach (float v in adamV) w.Write(v);
        }
        byte[] hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        body.Write(hash);
        Files.AtomicFile.WriteAllBytes(path, body.GetBuffer().AsSpan(0, (int)body.Length));
    }

    private static void WriteFloats(BinaryWriter w, ReadOnlySpan<float> values)
    {
        w.Write(values.Length);
        foreach (float v in values) w.Write(v);
    }

    /// <summary>Reads and validates a model file; any defect is an <see cref="InvalidInputException"/> that names it.</summary>
    public static ModelFileContents Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: model file not found");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidInputException($"{path}: not a LatticeFlow model file (bad magic; expected \"LFFLOW01\")");
        if (bytes.Length < Magic.Length + 4 + 32) throw new InvalidInputException($"{path}: model file truncated ({bytes.Length} bytes)");
        int bodyLength = bytes.Length - 32;
        byte[] expected = SHA256.HashData(bytes.AsSpan(0, bodyLength));
        if (!expected.AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
            throw new InvalidInputException($"{path}: model file corrupt or truncated (checksum mismatch)");
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, bodyLength));
            r.ReadBytes(Magic.Length);
            int jsonLength = r.ReadInt32();
            if (jsonLength <= 0 || jsonLength > bodyLength) throw new InvalidInputException($"{path}: model file header length {jsonLength} is invalid");
            var header = JsonSerializer.Deserialize<ModelHeader>(r.ReadBytes(jsonLength), Json)
                ?? throw new InvalidInputException($"{path}: empty model header");
            if (header.Format != FormatName) throw new InvalidInputException($"{path}: format '{header.Format}', expected '{FormatName}'");
            if (header.FormatVersion is < 1 or > Version)
                throw new InvalidInputException($"{path}: model format version {header.FormatVersion}; this build reads versions 1 to {Version} (a newer LatticeFlow wrote it)");
            var arch = header.Architecture();
            if (arch.ParameterCount != header.ParameterCount)
                throw new InvalidInputException($"{path}: header says {header.ParameterCount} parameters, the architecture has {arch.ParameterCount}");
            var weights = ReadFloats(r, path, header.ParameterCount);
            int moments = r.ReadInt32();
            float[]? m = null, v = null;
            if (moments == 2 * header.ParameterCount)
            {
                m = ReadFloats(r, header.ParameterCount);
                v = ReadFloats(r, header.ParameterCount);
            }
            else if (moments != 0) throw new InvalidInputException($"{path}: {moments} optimiser values for {header.ParameterCount} parameters");
            if (r.BaseStream.Position != bodyLength) throw new InvalidInputException($"{path}: {bodyLength - r.BaseStream.Position} unexpected trailing bytes");
            if (weights.Any(w => !float.IsFinite(w))) throw new InvalidInputException($"{path}: the weights contain NaN or infinity");
            return new ModelFileContents(header, weights, m, v) { Checksum = Convert.ToHexStringLower(bytes.AsSpan(bodyLength)) };
        }
        catch (EndOfStreamException)
        {
            throw new InvalidInputException($"{path}: model file truncated");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: model header is not valid JSON ({e.Message})");
        }
    }

    private static float[] ReadFloats(BinaryReader r, string path, int expected)
    {
        int n = r.ReadInt32();
        if (n != expected) throw new InvalidInputException($"{path}: {n} weights stored, the architecture needs {expected}");
        return ReadFloats(r, n);
    }

    private static float[] ReadFloats(BinaryReader r, int n)
    {
        var values = new float[n];
        for (int j = 0; j < n; j++) values[j] = r.ReadSingle();
        return values;
    }

    /// <summary>Checks that a model was trained for this lattice and action.</summary>
    public static void CheckMatches(ModelHeader header, int lx, int ly, Physics.Phi4Couplings c, string path)
    {
        if (header.Lx != lx || header.Ly != ly)
            throw new InvalidInputException($"{path}: trained on the {header.Lx}x{header.Ly} lattice, asked for {lx}x{ly}");
        if (header.M2 != c.M2 || header.Lambda != c.Lambda)
            throw new InvalidInputException($"{path}: trained at m2 = {header.M2}, lam = {header.Lambda}, asked for m2 = {c.M2}, lam = {c.Lambda}");
    }
}
