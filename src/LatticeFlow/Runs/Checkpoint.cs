using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;

namespace LatticeFlow.Runs;

/// <summary>
/// Everything needed to continue a chain exactly: with counter-based random numbers (DESIGN.md,
/// principle 3) that is the field, the update counter, the tuned step and the acceptance tally.
/// </summary>
public sealed record CheckpointState
{
    public required string Algorithm { get; init; }
    /// <summary>The extents of a d = 2 lattice in checkpoints written before <see cref="Extents"/>; 0 in newer ones.</summary>
    public int Lx { get; init; }
    public int Ly { get; init; }
    /// <summary>The lattice's extents (L_0, …, L_{d−1}); null in checkpoints older than it (then [Lx, Ly]).</summary>
    public int[]? Extents { get; init; }

    /// <summary>The lattice of the run.</summary>
    /// <exception cref="InvalidSettingException">The extents recorded are not a valid lattice.</exception>
    [JsonIgnore] public Lattice.LatticeGeometry Geometry => new(Extents ?? [Lx, Ly]);
    public required double M2 { get; init; }
    public required double Lambda { get; init; }
    public double? Kappa { get; init; }
    public double? LambdaHop { get; init; }
    public required int Chains { get; init; }
    public required ulong Seed { get; init; }
    public required long Thermalization { get; init; }
    public required int SaveEvery { get; init; }
    public required string AlgorithmSettings { get; init; }
    public required long Step { get; init; }
    public required long ConfigurationsWritten { get; init; }
    public required double TunerLogValue { get; init; }
    public required int TunerIterations { get; init; }
    public double TunerAverageSum { get; init; }
    public int TunerAverageCount { get; init; }
    public required double[] TallyAccepted { get; init; }
    public required long TallyUpdates { get; init; }
    public required double[] AcceptanceSum { get; init; }
    public required double ThermalizationSeconds { get; init; }
    public required double SamplingSeconds { get; init; }
    public double[] SamplerState { get; init; } = [];
    /// <summary>Whether the run writes fields.npy; null in checkpoints older than it (the file's presence says).</summary>
    public bool? SaveFields { get; init; }
    /// <summary>Flow runs: the SHA-256 (hex) of the model file the chain proposes from; null in checkpoints older than it.</summary>
    public string? ModelSha256 { get; init; }
    public double[] Field { get; init; } = [];
}

/// <summary>
/// checkpoint.bin: "LFCKPT01", a JSON header, the field as float64, and a SHA-256 of all that. Written to a
/// temporary file and renamed, so a crash while writing leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    private static readonly byte[] Magic = "LFCKPT01"u8.ToArray();

    // A flow chain's log w is −∞ until its first acceptance.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Write(string path, CheckpointState state)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            byte[] header = JsonSerializer.SerializeToUtf8Bytes(state with { Field = [] }, Json);
            w.Write(header.Length);
            w.Write(header);
            w.Write(state.Field.Length);
            foreach (double v in state.Field) w.Write(v);
        }
        byte[] hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        body.Write(hash);
        Files.AtomicFile.WriteAllBytes(path, body.GetBuffer().AsSpan(0, (int)body.Length));
    }

    public static CheckpointState Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: no checkpoint to resume from");
        byte[] all = File.ReadAllBytes(path);
        string bad = $"{path}: corrupt or truncated checkpoint";
        if (all.Length < Magic.Length + 4 + 32 || !all.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidInputException(bad);
        var body = all.AsSpan(0, all.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(all.AsSpan(all.Length - 32)))
            throw new InvalidInputException(bad + " (checksum mismatch)");
        try
        {
            using var r = new BinaryReader(new MemoryStream(all, 0, all.Length - 32));
            r.ReadBytes(Magic.Length);
            var header = r.ReadBytes(r.ReadInt32());
            var state = JsonSerializer.Deserialize<CheckpointState>(header, Json) ?? throw new InvalidInputException(bad);
            var field = new double[r.ReadInt32()];
            for (int i = 0; i < field.Length; i++) field[i] = r.ReadDouble();
            if (field.Length != (long)(state.Extents ?? [state.Lx, state.Ly]).Aggregate(1L, (v, l) => v * l) * state.Chains) throw new InvalidInputException(bad + " (field size)");
            return state with { Field = field };
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException)
        {
            throw new InvalidInputException(bad);
        }
    }
}
