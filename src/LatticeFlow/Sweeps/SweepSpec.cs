using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LatticeFlow.Physics;

namespace LatticeFlow.Sweeps;

/// <summary>One parameter point of a sweep: a square lattice and couplings (standard or hopping form).</summary>
public sealed record SweepPoint(int L, Phi4Couplings Couplings)
{
    /// <summary>A directory name that says what the point is, e.g. L8_m2-4_lam6.008.</summary>
    public string Name => Couplings.Kappa is double k
        ? FormattableString.Invariant($"L{L}_kappa{k}_lamhop{Couplings.LambdaHop}")
        : FormattableString.Invariant($"L{L}_m2{Couplings.M2}_lam{Couplings.Lambda}");
}

/// <summary>
/// Budgets of one algorithm at every point of a sweep. <c>SaveFields</c> false: no fields.npy (measurements and time
/// slices only), for long baseline studies at large L (2 × 10⁵ configurations at L = 64 are 6.5 GB per run).
/// </summary>
public sealed record SweepBudget(long Configurations, long Thermalization, int Chains, int SaveEvery, bool SaveFields = true);

/// <summary>
/// How the flow is trained at each point: the tutorial architecture by default, stopped at a target acceptance or a
/// step budget. The learning rate starts at 3e-3, not the tutorial's constant 1e-3, and anneals on a cosine over the
/// step budget: on sweep budgets that trains far better (L = 8, λ = 6.008: 1500 steps at constant 1e-3 reach an
/// independence-Metropolis acceptance of 0.12, at 3e-3 0.25; 6000 cosine steps from 3e-3 reach 0.41; docs/flow.md).
/// <c>Symmetrize</c>: flow MH with Z2-symmetrised proposals (<see cref="Sampling.FlowMetropolisSettings"/>), on by default:
/// with the albergo2019 flows of L = 10 and 14 it raised the acceptance from 0.17 to 0.23 and 0.03 to 0.11 and brought
/// the Pareto k̂ of the weights from 0.79 to 0.59 and 1.09 to 0.83 (README).
/// </summary>
public sealed record FlowTraining(int Layers = 16, int[]? Hidden = null, int Kernel = 3, int Batch = 64, double LearningRate = 3e-3,
    long MaxSteps = 5000, double? TargetAcceptance = 0.5, string Schedule = "cosine", bool Symmetrize = true)
{
    public int[] HiddenOrDefault => Hidden ?? [8, 8];
}

/// <summary>
/// A sweep: points × algorithms × replicas, with budgets and a base seed. Read from JSON (--file) or a preset.
/// Replica r of point i with algorithm a uses seed = base + 1000·i + 10·r + (index of a), so every run has
/// its own random numbers and a Slurm array task reproduces exactly what a local sweep would do.
/// </summary>
public sealed record SweepSpec
{
    public static readonly string[] AllAlgorithms = ["flow", "hmc", "metropolis"];

    public required string Name { get; init; }
    public required IReadOnlyList<SweepPoint> Points { get; init; }
    public IReadOnlyList<string> Algorithms { get; init; } = AllAlgorithms;
    public int Replicas { get; init; } = 1;
    public ulong Seed { get; init; } = 1;
    public SweepBudget Budget { get; init; } = new(20000, 2000, 1, 1);
    public FlowTraining Flow { get; init; } = new();
    public double TargetAcceptance { get; init; } = 0.7;
    public int HmcSteps { get; init; } = 10;

    public ulong SeedFor(int point, int replica, string algorithm) =>
        Seed + 1000UL * (ulong)point + 10UL * (ulong)replica + (ulong)Array.IndexOf(AllAlgorithms, algorithm);

    /// <summary>m² = −4 and λ with m_p·L ≈ 4 (Albergo et al. 2019, Table I; larger L from arXiv:2207.00283).</summary>
    public static SweepSpec Preset(string name) => name switch
    {
        "albergo2019" => Albergo([6, 8, 10, 12, 14]) with { Name = name },
        "extended" => Albergo([6, 8, 10, 12, 14, 20, 32, 64]) with { Name = name },
        // `make run`: the albergo2019 points L = 6, 8, 10 with budgets that finish in about 15 minutes on 2 cores.
        "demo" => Albergo([6, 8, 10]) with
        {
            Name = name,
            Budget = new SweepBudget(10000, 1000, 2, 1),
            Flow = new FlowTraining(MaxSteps: 5000, TargetAcceptance: 0.5),
        },
        _ => throw new InvalidInputException($"--preset {name}: unknown preset (choose albergo2019, extended or demo)"),
    };

    private static readonly Dictionary<int, double> AlbergoLambda = new()
    {
        [6] = 6.975, [8] = 6.008, [10] = 5.550, [12] = 5.276, [14] = 5.113, [20] = 4.807, [32] = 4.572, [64] = 4.398,
    };

    private static SweepSpec Albergo(int[] sizes) => new()
    {
        Name = "albergo",
        Points = [.. sizes.Select(l => new SweepPoint(l, Phi4Couplings.Standard(-4.0, AlbergoLambda[l])))],
    };

    public SweepSpec Validated()
    {
        if (Points.Count == 0) throw new InvalidInputException("sweep: no points");
        foreach (var a in Algorithms)
            if (!AllAlgorithms.Contains(a)) throw new InvalidInputException($"sweep: unknown algorithm \"{a}\" (choose {string.Join(", ", AllAlgorithms)})");
        if (Replicas < 1) throw new InvalidInputException($"sweep: replicas = {Replicas}: need at least 1");
        if (Budget.Configurations < 1 || Budget.Thermalization < 0 || Budget.Chains < 1 || Budget.SaveEvery < 1)
            throw new InvalidInputException("sweep: budgets must be positive (configs ≥ 1, therm ≥ 0, chains ≥ 1, save_every ≥ 1)");
        if (Flow.MaxSteps < 1 || Flow.Batch < 2 || !(Flow.LearningRate > 0)) throw new InvalidInputException("sweep: flow training needs max_steps ≥ 1, batch ≥ 2 and lr > 0");
        if (Flow.Schedule.ToLowerInvariant() is not ("constant" or "cosine")) throw new InvalidInputException($"sweep: flow schedule \"{Flow.Schedule}\": choose constant or cosine");
        if (Points.Select(p => p.Name).Distinct().Count() != Points.Count) throw new InvalidInputException("sweep: the same point appears twice");
        return this;
    }

    /// <summary>
    /// The sweep file: {"name", "algorithms", "replicas", "seed", "configs", "therm", "chains", "save_every", "fields",
    /// "target_accept", "hmc_steps", "flow": {"layers", "hidden", "kernel", "batch", "lr", "max_steps", "target_accept", "schedule", "symmetrize"},
    /// "points": [{"L", "m2", "lam"} or {"L", "kappa", "lam_hop"}, ...]}; everything but points has a default.
    /// </summary>
    public static SweepSpec Parse(string json, string source)
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidInputException($"{source}: the sweep file must be a JSON object"); }
        catch (JsonException e) { throw new InvalidInputException($"{source}: not valid JSON ({e.Message})"); }
        var known = new HashSet<string> { "name", "algorithms", "replicas", "seed", "configs", "therm", "chains", "save_every", "fields", "target_accept", "hmc_steps", "flow", "points" };
        foreach (var (key, _) in root)
            if (!known.Contains(key)) throw new InvalidInputException($"{source}: unknown key \"{key}\" (known: {string.Join(", ", known)})");
        var points = root["points"] as JsonArray ?? throw new InvalidInputException($"{source}: \"points\" must be a list of points");
        var parsed = new List<SweepPoint>();
        for (int i = 0; i < points.Count; i++)
        {
            try { parsed.Add(ParsePoint(points[i] as JsonObject ?? throw new InvalidInputException("not an object"))); }
            catch (Exception e) when (e is InvalidInputException or InvalidOperationException or FormatException)
            {
                throw new InvalidInputException($"{source}: points[{i}]: {e.Message}");
            }
        }
        var spec = new SweepSpec { Name = Get(root, "name", "sweep", source), Points = parsed };
        var flow = root["flow"] as JsonObject;
        spec = spec with
        {
            Algorithms = root["algorithms"] is JsonArray algs ? [.. algs.Select(a => a!.GetValue<string>())] : spec.Algorithms,
            Replicas = Get(root, "replicas", spec.Replicas, source),
            Seed = Get(root, "seed", spec.Seed, source),
            Budget = new SweepBudget(Get(root, "configs", spec.Budget.Configurations, source), Get(root, "therm", spec.Budget.Thermalization, source),
                Get(root, "chains", spec.Budget.Chains, source), Get(root, "save_every", spec.Budget.SaveEvery, source),
                Get(root, "fields", spec.Budget.SaveFields, source)),
            TargetAcceptance = Get(root, "target_accept", spec.TargetAcceptance, source),
            HmcSteps = Get(root, "hmc_steps", spec.HmcSteps, source),
            Flow = flow is null ? spec.Flow : new FlowTraining(
                Get(flow, "layers", spec.Flow.Layers, source),
                flow["hidden"] is JsonArray h ? [.. h.Select(x => x!.GetValue<int>())] : null,
                Get(flow, "kernel", spec.Flow.Kernel, source), Get(flow, "batch", spec.Flow.Batch, source),
                Get(flow, "lr", spec.Flow.LearningRate, source), Get(flow, "max_steps", spec.Flow.MaxSteps, source),
                flow.ContainsKey("target_accept") ? flow["target_accept"]?.GetValue<double>() : spec.Flow.TargetAcceptance,
                Get(flow, "schedule", spec.Flow.Schedule, source), Get(flow, "symmetrize", spec.Flow.Symmetrize, source)),
        };
        try { return spec.Validated(); }
        catch (InvalidInputException e) { throw new InvalidInputException($"{source}: {e.Message.Replace("sweep: ", "")}"); }
    }

    private static SweepPoint ParsePoint(JsonObject p)
    {
        int l = p["L"]?.GetValue<int>() ?? throw new InvalidInputException("needs \"L\"");
        var geometry = Lattice.LatticeGeometry.Square(l);
        bool standard = p.ContainsKey("m2") || p.ContainsKey("lam"), hopping = p.ContainsKey("kappa") || p.ContainsKey("lam_hop");
        if (standard == hopping) throw new InvalidInputException("give either \"m2\" and \"lam\" or \"kappa\" and \"lam_hop\"");
        var couplings = standard
            ? Phi4Couplings.Standard(p["m2"]?.GetValue<double>() ?? throw new InvalidInputException("needs \"m2\""), p["lam"]?.GetValue<double>() ?? throw new InvalidInputException("needs \"lam\""))
            : Phi4Couplings.Hopping(p["kappa"]?.GetValue<double>() ?? throw new InvalidInputException("needs \"kappa\""), p["lam_hop"]?.GetValue<double>() ?? throw new InvalidInputException("needs \"lam_hop\""));
        return new SweepPoint(geometry.Lx, couplings);
    }

    private static T Get<T>(JsonObject o, string key, T fallback, string source)
    {
        if (o[key] is not JsonNode n) return fallback;
        try { return n.GetValue<T>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidInputException($"{source}: \"{key}\" must be a {typeof(T).Name.ToLowerInvariant()}");
        }
    }

    /// <summary>The canonical JSON of this sweep, stored in the sweep directory to detect a changed sweep file.</summary>
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["name"] = Name,
            ["algorithms"] = new JsonArray([.. Algorithms.Select(a => (JsonNode)a)]),
            ["replicas"] = Replicas,
            ["seed"] = Seed,
            ["configs"] = Budget.Configurations,
            ["therm"] = Budget.Thermalization,
            ["chains"] = Budget.Chains,
            ["save_every"] = Budget.SaveEvery,
            ["fields"] = Budget.SaveFields,
            ["target_accept"] = TargetAcceptance,
            ["hmc_steps"] = HmcSteps,
            ["flow"] = new JsonObject
            {
                ["layers"] = Flow.Layers, ["hidden"] = new JsonArray([.. Flow.HiddenOrDefault.Select(h => (JsonNode)h)]), ["kernel"] = Flow.Kernel,
                ["batch"] = Flow.Batch, ["lr"] = Flow.LearningRate, ["max_steps"] = Flow.MaxSteps, ["target_accept"] = Flow.TargetAcceptance,
                ["schedule"] = Flow.Schedule, ["symmetrize"] = Flow.Symmetrize,
            },
            ["points"] = new JsonArray([.. Points.Select(p => (JsonNode)(p.Couplings.Kappa is double k
                ? new JsonObject { ["L"] = p.L, ["kappa"] = k, ["lam_hop"] = p.Couplings.LambdaHop }
                : new JsonObject { ["L"] = p.L, ["m2"] = p.Couplings.M2, ["lam"] = p.Couplings.Lambda }))]),
        };
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() });
    }
}
