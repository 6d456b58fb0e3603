using System.Text.Json.Serialization;
using System.Text.Json;
using LatticeFlow.Physics;

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
    [JsonIgnore] public Lattice.LatticeGeometry Geometry => new([.. LatticeExtents]);

    /// <summary>The extents as recorded, <see cref="Extents"/> or, in older checkpoints, [Lx, Ly]; not checked.</summary>
    [JsonIgnore] public IReadOnlyList<int> LatticeExtents => Extents ?? [Lx, Ly];

    private readonly IActionParameters? _action;
    private readonly double? _m2, _lambda, _kappa, _lambdaHop;

    /// <summary>
    /// The action, its parameters record written whole ("Action": {"name": "phi4", "m2": −4, "lambda": 8}); checkpoints
    /// written before it have the fields M2, Lambda, Kappa and LambdaHop, read into it (and never written).
    /// </summary>
    /// <exception cref="InvalidInputException">A checkpoint that records no action.</exception>
    public IActionParameters Action
    {
        get => Phi4Couplings.RecordOr(_action, _m2, _lambda, _kappa, _lambdaHop, "checkpoint");
        init => _action = value;
    }

    // Checkpoints written before the action record: read into Action, never written (the getters are null).
    [JsonInclude, JsonPropertyName("M2"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] private double? OldM2 { get => null; init => _m2 = value; }
    [JsonInclude, JsonPropertyName("Lambda"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] private double? OldLambda { get => null; init => _lambda = value; }
    [JsonInclude, JsonPropertyName("Kappa"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] private double? OldKappa { get => null; init => _kappa = value; }
    [JsonInclude, JsonPropertyName("LambdaHop"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] private double? OldLambdaHop { get => null; init => _lambdaHop = value; }
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
/// checkpoint.bin: a <see cref="BinaryContainer{THeader}"/> of kind "LFCKPT01" whose header is the state without the
/// field, and whose payload is int32 n and the field as n float64 (chain-major, then the lattice in C order). Written atomically, so a
/// crash while writing leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    // Property names as declared (not snake_case) and non-finite numbers as named literals ("-Infinity": a flow chain's
    // log w until its first acceptance, which must resume exactly): the format checkpoints have always had.
    private static readonly Files.BinaryContainer<CheckpointState> Container = new("LFCKPT01", "checkpoint",
        new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });

    public static void Write(string path, CheckpointState state) => Container.Write(path, state with { Field = [] }, w =>
    {
        w.Int32(state.Field.Length);
        w.Doubles(state.Field);
    });

    /// <exception cref="InvalidInputException">No checkpoint at <paramref name="path"/>, or one that is damaged.</exception>
    public static CheckpointState Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: no checkpoint to resume from");
        return Container.Read(path, (state, r) =>
        {
            int n = r.Int32();
            var extents = state.LatticeExtents;
            if (n != extents.Aggregate(1L, (v, l) => v * l) * state.Chains)
                throw new InvalidInputException($"{path}: checkpoint corrupt or truncated ({n} field values for {state.Chains} chains of {string.Join("x", extents)})");
            return state with { Field = r.Doubles(n) };
        });
    }
}
