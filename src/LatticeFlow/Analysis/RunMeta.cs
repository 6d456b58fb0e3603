using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json;
using LatticeFlow.Files;
using LatticeFlow.Physics;

namespace LatticeFlow.Analysis;

/// <summary>
/// meta.json, the record of a run (DESIGN.md: files a run leaves): every parameter, the algorithm's settings and tuned
/// values, seed, code version, device, timings and acceptance, and the run's status ("running", "interrupted",
/// "complete"). Rewritten atomically at every checkpoint, so a reader never sees half a file. Numbers that are not
/// known (NaN) are null.
/// </summary>
public sealed record RunMeta
{
    public const string FormatName = "latticeflow-run";
    public const int Version = 1;

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = Version;
    /// <summary>"running", "interrupted" or "complete".</summary>
    public required string Status { get; init; }
    public required LatticeRecord Lattice { get; init; }

    private readonly IActionParameters? _action;
    private readonly PhysicsRecord? _physics;

    /// <summary>
    /// The action, its parameters record written whole (<see cref="Actions"/>): "action": {"name": "phi4", "m2": −4,
    /// "lambda": 8}. Runs written before it have only <see cref="Physics"/>, read into it.
    /// </summary>
    /// <exception cref="InvalidInputException">A meta.json that records neither (not a run's).</exception>
    public IActionParameters Action
    {
        get => Phi4Couplings.RecordOr(_action, _physics?.M2, _physics?.Lam, _physics?.Kappa, _physics?.LamHop, RunFiles.Meta);
        init => _action = value;
    }

    /// <summary>
    /// For readers outside (Python; the keys every run has had): φ⁴'s couplings as "physics": {"action", "m2", "lam",
    /// "kappa", "lam_hop"}, written from <see cref="Action"/> (absent for another action). The code reads the action, never
    /// this; only in runs written before the action record is it the action's source.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PhysicsRecord? Physics
    {
        get => _action is null ? _physics : PhysicsRecord.Of(_action);
        init => _physics = value;
    }
    /// <summary>The sampler's settings and tuned values; "name" is always there.</summary>
    public required Dictionary<string, JsonElement> Algorithm { get; init; }
    public required int Chains { get; init; }
    /// <summary>Configurations asked for.</summary>
    public required long NTarget { get; init; }
    public required long ConfigsWritten { get; init; }
    public required long Therm { get; init; }
    public required int SaveEvery { get; init; }
    public required long UpdatesDone { get; init; }
    public required ulong Seed { get; init; }
    public required bool FieldsSaved { get; init; }
    public required string CodeVersion { get; init; }
    public required string Device { get; init; }
    /// <summary>The host SIMD twins that ran: avx512, avx2 or off (the kernel bodies; always on a GPU); null in runs written before it was recorded.</summary>
    public string? Simd { get; init; }
    public required RunTimings Timings { get; init; }
    public required RunAcceptance Acceptance { get; init; }
    public RunFileShapes? Files { get; init; }
    /// <summary>
    /// Flow runs: the report of the chain and its proposals (Analysis.FlowRunReport), with the sampler's own counts
    /// ("proposals", "non_finite_proposals"; also during the run), or "report_error" where the report could not be computed.
    /// </summary>
    public JsonObject? Flow { get; init; }

    /// <summary>Key of <see cref="Flow"/>: why the flow report is missing.</summary>
    public const string FlowReportError = "report_error";

    /// <summary>
    /// Flow runs: proposals of the production phase whose log q or action was not finite (all rejected; their rows in
    /// proposals.csv hold nan or inf); null for other runs and for flow runs written before the count existed.
    /// </summary>
    [JsonIgnore] public long? NonFiniteProposals => Flow?["non_finite_proposals"]?.GetValue<long>();

    /// <summary>Flow runs: proposals of the production phase (one per update and chain, the rows of proposals.csv).</summary>
    [JsonIgnore] public long? Proposals => Flow?["proposals"]?.GetValue<long>();

    [JsonIgnore] public string AlgorithmName => Algorithm.TryGetValue("name", out var n) ? n.GetString() ?? "unknown" : "unknown";

    public void Write(string dir) => JsonFiles.Write(RunFiles.Path(dir, RunFiles.Meta), this);

    /// <exception cref="InvalidInputException">No meta.json in <paramref name="dir"/>, or not a LatticeFlow run's.</exception>
    public static RunMeta Read(string dir)
    {
        string path = RunFiles.Path(dir, RunFiles.Meta);
        if (!File.Exists(path)) throw new InvalidInputException($"{dir}: not a LatticeFlow run (no {RunFiles.Meta})");
        var meta = JsonFiles.Read<RunMeta>(path, "run description");
        if (meta.Format != FormatName) throw new InvalidInputException($"{path}: not a LatticeFlow run description");
        return meta;
    }

    /// <summary>Whether <paramref name="dir"/> holds a run that finished.</summary>
    public static bool IsComplete(string dir) => File.Exists(RunFiles.Path(dir, RunFiles.Meta)) && Read(dir).Status == "complete";
}

/// <summary>
/// The lattice of a run (keys "d" and "extents", the last extent the time direction; for d = 2 also "Lx" and "Ly",
/// which runs written before d-dimensional lattices have alone).
/// </summary>
public sealed record LatticeRecord
{
    [JsonPropertyName("Lx"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Lx { get; init; }
    [JsonPropertyName("Ly"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Ly { get; init; }
    public int D { get; init; }
    /// <summary>(L_0, …, L_{d−1}); null in runs written before it (then [Lx, Ly]).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int[]? Extents { get; init; }

    public static LatticeRecord Of(Lattice.LatticeGeometry g) => new()
    {
        Lx = g.Dimensions == 2 ? g.Lx : null, Ly = g.Dimensions == 2 ? g.Ly : null, D = g.Dimensions, Extents = [.. g.Extents],
    };

    /// <exception cref="InvalidInputException">The record names no valid lattice.</exception>
    [JsonIgnore] public Lattice.LatticeGeometry Geometry
    {
        get
        {
            try { return new(Extents ?? [Lx ?? 0, Ly ?? 0]); }
            catch (InvalidSettingException e) { throw new InvalidInputException($"{RunFiles.Meta}: the lattice it records is not valid ({e.Message})"); }
        }
    }

    [JsonIgnore] public int Volume => Geometry.Volume;
}

/// <summary>
/// meta.json's "physics": φ⁴'s formula and couplings under the keys runs have always had (kappa and lam_hop where the run
/// was given the hopping form), kept for readers outside; the code reads <see cref="RunMeta.Action"/>.
/// </summary>
public sealed record PhysicsRecord(string Action, double M2, double Lam, double? Kappa, double? LamHop)
{
    public const string ActionText = "S = sum_x [ sum_mu (phi(x+mu) - phi(x))^2 + m2 phi^2 + lam phi^4 ]  (Albergo et al. 2019, eq. 20-21)";

    /// <summary>The record of φ⁴'s couplings; null for another action.</summary>
    public static PhysicsRecord? Of(IActionParameters action) =>
        action is Phi4Couplings c ? new(ActionText, c.M2, c.Lambda, c.Kappa, c.LambdaHop) : null;
}

/// <summary>Seconds spent thermalising and sampling; seconds per update of the sampling phase (NaN before the first).</summary>
public sealed record RunTimings(double ThermalizationSeconds, double SamplingSeconds, double SecondsPerUpdate);

/// <summary>Mean acceptance of the saved configurations, over chains and per chain.</summary>
public sealed record RunAcceptance(double Mean, double[] PerChain);

/// <summary>What each data file holds, for a reader of the directory.</summary>
public sealed record RunFileShapes(string? Fields, string Timeslices, string Measurements);
