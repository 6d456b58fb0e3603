using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LatticeFlow.Files;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Sweeps;

/// <summary>
/// One parameter point of a sweep: a square lattice and couplings, in the standard form (<c>m2</c>, <c>lam</c>) or the
/// hopping form (<c>kappa</c>, <c>lam_hop</c>); the form not used is null and not written.
/// </summary>
public sealed record SweepPoint
{
    [JsonPropertyName("L")] public required int L { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? M2 { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Lam { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Kappa { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? LamHop { get; init; }

    public static SweepPoint Standard(int l, double m2, double lam) => new() { L = l, M2 = m2, Lam = lam };

    public static SweepPoint Hopping(int l, double kappa, double lamHop) => new() { L = l, Kappa = kappa, LamHop = lamHop };

    /// <summary>True when exactly one form is given, and whole.</summary>
    [JsonIgnore] public bool IsComplete => (M2, Lam, Kappa, LamHop) is (not null, not null, null, null) or (null, null, not null, not null);

    /// <exception cref="InvalidSettingException">Unusable couplings (named m2, lambda, kappa, lambda_hop).</exception>
    [JsonIgnore]
    public Phi4Couplings Couplings => Kappa is double k && LamHop is double h ? Phi4Couplings.Hopping(k, h)
        : Phi4Couplings.Standard(M2 ?? double.NaN, Lam ?? double.NaN);

    /// <summary>A directory name that says what the point is, e.g. L8_m2-4_lam6.008.</summary>
    [JsonIgnore]
    public string Name => Kappa is double kappa
        ? FormattableString.Invariant($"L{L}_kappa{kappa}_lamhop{LamHop}")
        : FormattableString.Invariant($"L{L}_m2{Couplings.M2}_lam{Couplings.Lambda}");
}

/// <summary>
/// How the flow is trained at each point: the tutorial architecture of <see cref="FlowArchitecture"/> and the batch of
/// <see cref="TrainSettings"/> by default, stopped at a target acceptance or a step budget. The learning rate starts at
/// 3e-3, not the tutorial's constant 1e-3, and anneals on a cosine over the step budget: on sweep budgets that trains
/// far better (L = 8, λ = 6.008: 1500 steps at constant 1e-3 reach an independence-Metropolis acceptance of 0.12, at
/// 3e-3 0.25; 6000 cosine steps from 3e-3 reach 0.41; docs/flow.md). <c>Symmetrize</c>: flow MH with Z2-symmetrised
/// proposals (<see cref="FlowMetropolisSettings"/>), on by default: with the albergo2019 flows of L = 10 and 14 it
/// raised the acceptance from 0.17 to 0.23 and 0.03 to 0.11 and brought the Pareto k̂ of the weights from 0.79 to 0.59
/// and 1.09 to 0.83 (README).
/// </summary>
public sealed record FlowTraining
{
    private static readonly FlowArchitecture Tutorial = FlowArchitecture.Tutorial();

    public int Layers { get; init; } = Tutorial.Layers;
    public int[] Hidden { get; init; } = [.. Tutorial.Hidden];
    public int Kernel { get; init; } = Tutorial.Kernel;
    public int Batch { get; init; } = new TrainSettings { Architecture = Tutorial, Action = Phi4Couplings.Tutorial, OutputDirectory = "" }.Batch;
    [JsonPropertyName("lr")] public double LearningRate { get; init; } = 3e-3;
    public long MaxSteps { get; init; } = 5000;
    /// <summary>Null: train for <see cref="MaxSteps"/> steps whatever the acceptance.</summary>
    [JsonPropertyName("target_accept")] public double? TargetAcceptance { get; init; } = 0.5;
    /// <summary>"constant" or "cosine" (<see cref="LearningRateSchedule"/>).</summary>
    public string Schedule { get; init; } = "cosine";
    public bool Symmetrize { get; init; } = true;
    /// <summary>"affine", "additive" or "spline" (<see cref="CouplingNames"/>).</summary>
    public string Coupling { get; init; } = "affine";
    /// <summary>Spline couplings: bins of the spline (<see cref="FlowArchitecture.Bins"/>).</summary>
    public int Bins { get; init; } = Tutorial.Bins;
    /// <summary>Spline couplings: the spline's interval [−B, B] (<see cref="FlowArchitecture.Bound"/>).</summary>
    public double Bound { get; init; } = Tutorial.Bound;
    /// <summary>"leaky_relu" or "tanh" (<see cref="ActivationNames"/>).</summary>
    public string Activation { get; init; } = ActivationNames.Name(Tutorial.Activation);
    public bool FinalTanh { get; init; } = Tutorial.FinalTanh;
    /// <summary>Z2-equivariant flows (<see cref="FlowArchitecture.Equivariant"/>).</summary>
    public bool Equivariant { get; init; }
    /// <summary>A learnable global rescaling (<see cref="FlowArchitecture.GlobalScale"/>).</summary>
    public bool GlobalScale { get; init; }
    /// <summary>A learnable Gaussian layer in momentum space before the couplings (<see cref="FlowArchitecture.SpectrumScaling"/>).</summary>
    public bool SpectrumScaling { get; init; }
    /// <summary>Soft clamp of affine log-scales (0: none).</summary>
    public double Clamp { get; init; }
    /// <summary>
    /// Train the points in order, each flow starting from the previous point's trained flow (training across volumes:
    /// conv weights do not depend on L): the points must come in order of L, and every point after the first is a
    /// fine-tuning of its predecessor (<see cref="TrainSettings.InitFrom"/>).
    /// </summary>
    public bool Ladder { get; init; }
    /// <summary>Steps between checks on fresh proposals (0: only the target checks).</summary>
    public long CheckEvery { get; init; }
    /// <summary>Keep the flow of the best check, not the last (needs check_every).</summary>
    public bool KeepBest { get; init; }
    /// <summary>Seconds of training per point (0: no limit; <see cref="TrainSettings.MaxSeconds"/>).</summary>
    public double MaxSeconds { get; init; }
    /// <summary>
    /// A ladder's training seconds in all (0: none; needs <see cref="Ladder"/>): each point may train for its volume's
    /// share of what its predecessors left, (B − Σ_{j&lt;i} t_j)·V_i / Σ_{j≥i} V_j, so that time a small lattice did not need
    /// (it reached its target) goes to the larger ones, where training is slowest; <see cref="MaxSeconds"/>, if given, caps
    /// each point. The seconds t_j are those the predecessors' train.json record, so a resumed point or a Slurm task
    /// computes the same limit as the uninterrupted sweep.
    /// </summary>
    public double LadderSeconds { get; init; }
    /// <summary>Fresh proposals of each point's final evaluation (acceptance, ESS, Pareto k̂ in the summary).</summary>
    [JsonPropertyName("eval")] public long EvaluationProposals { get; init; } = SweepSpec.DefaultEvaluationProposals;

    /// <summary>The architecture of these settings on an L × L lattice.</summary>
    public FlowArchitecture Architecture(int l) => FlowArchitecture.Tutorial(l) with
    {
        Layers = Layers, Hidden = Hidden, Kernel = Kernel, Activation = ActivationNames.Parse(Activation), FinalTanh = FinalTanh,
        Coupling = CouplingNames.Parse(Coupling),
        Equivariant = Equivariant, GlobalScale = GlobalScale, SpectrumScaling = SpectrumScaling, Clamp = Clamp, Bins = Bins, Bound = Bound,
    };
}

/// <summary>
/// A sweep: points × algorithms × replicas, with budgets and a base seed; the sweep file (README) is this record in JSON,
/// key for key (<see cref="Parse"/>, <see cref="ToJson"/>). Replica r of point i with algorithm a uses
/// seed = base + 1000·i + 10·r + (a's <see cref="SamplerKind.SeedOffset"/>: flow 0, hmc 1, metropolis 2, cluster 3), so every
/// run has its own random numbers, a Slurm array task reproduces exactly what a local sweep would do, and adding a sampler
/// to the registry changes no existing run's seed. The budgets default to the sweep's own (longer than a single `sample`'s); the
/// samplers' settings not named here (chains, save_every, fields, the tuning target, HMC's steps) default to the
/// samplers' own (<see cref="SampleSettings"/>, <see cref="HmcSettings"/>).
/// </summary>
public sealed record SweepSpec
{
    /// <summary>Every registered sampler, in the order a sweep runs them (by seed offset: the flow first, it trains).</summary>
    public static readonly string[] AllAlgorithms = [.. Samplers.All.OrderBy(k => k.SeedOffset).Select(k => k.Name)];

    // Read for their defaults only.
    private static readonly SampleSettings RunDefaults =
        new() { Algorithm = "hmc", Geometry = LatticeGeometry.Square(2), Action = Phi4Couplings.Tutorial, OutputDirectory = "" };

    public string Name { get; init; } = "sweep";
    public IReadOnlyList<string> Algorithms { get; init; } = AllAlgorithms;
    public int Replicas { get; init; } = 1;
    public ulong Seed { get; init; } = 1;
    [JsonPropertyName("configs")] public long Configurations { get; init; } = 20000;
    [JsonPropertyName("therm")] public long Thermalization { get; init; } = 2000;
    public int Chains { get; init; } = RunDefaults.Chains;
    public int SaveEvery { get; init; } = RunDefaults.SaveEvery;
    /// <summary>False: no fields.npy (measurements and time slices only), for long baseline studies at large L (2 × 10⁵ configurations at L = 64 are 6.5 GB per run).</summary>
    [JsonPropertyName("fields")] public bool SaveFields { get; init; } = RunDefaults.SaveFields;
    /// <summary>The acceptance Metropolis and HMC tune their step to during thermalisation.</summary>
    [JsonPropertyName("target_accept")] public double TargetAcceptance { get; init; } = RunDefaults.Hmc.TargetAcceptance;
    public int HmcSteps { get; init; } = RunDefaults.Hmc.Steps;
    /// <summary>The cluster hybrid's Wolff clusters per update (<see cref="ClusterSettings.Clusters"/>).</summary>
    public int Clusters { get; init; } = RunDefaults.Cluster.Clusters;
    public FlowTraining Flow { get; init; } = new();
    public required IReadOnlyList<SweepPoint> Points { get; init; }

    /// <exception cref="InvalidSettingException">No sampler of that name.</exception>
    public ulong SeedFor(int point, int replica, string algorithm) =>
        Seed + 1000UL * (ulong)point + 10UL * (ulong)replica + Samplers.Get(algorithm).SeedOffset;

    /// <summary>m² = −4 and λ with m_p·L ≈ 4 (Albergo et al. 2019, Table I; larger L from arXiv:2207.00283).</summary>
    /// <exception cref="InvalidSettingException">Not a preset's name (setting "preset").</exception>
    public static SweepSpec Preset(string name) => name switch
    {
        "albergo2019" => Albergo([6, 8, 10, 12, 14]) with { Name = name },
        "extended" => Albergo([6, 8, 10, 12, 14, 20, 32, 64]) with { Name = name },
        // `make run`: the albergo2019 points L = 6 to 14, the flows (with a spectrum scaling: docs/results/flow-scaling.md)
        // trained as a ladder (each from the previous L's) to a held acceptance, 9 minutes of training in all, each point
        // its volume's share of what the smaller ones left, so that the whole job stays within 15 minutes on 2 cores; the
        // cosine anneals over each point's share. Sampling costs seconds beside that training, so the chains are long
        // (5·10⁴ each): a flow chain's rare long stays (AcceptanceStatistics.IsSticky) need chains of 50 times their
        // length; no fields.npy, which would be 1.7 GB.
        "demo" => Albergo([6, 8, 10, 12, 14]) with
        {
            Name = name, Configurations = 50000, Thermalization = 1000, Chains = 2, SaveFields = false,
            Flow = new FlowTraining
            {
                SpectrumScaling = true, LearningRate = 3e-3, Schedule = "cosine", MaxSteps = 1_000_000, LadderSeconds = 540,
                TargetAcceptance = 0.7, Ladder = true, CheckEvery = 100, KeepBest = true, EvaluationProposals = 4000,
            },
        },
        _ => throw new InvalidSettingException(SettingNames.Preset, name, "unknown preset (choose albergo2019, extended or demo)"),
    };

    private static readonly Dictionary<int, double> AlbergoLambda = new()
    {
        [6] = 6.975, [8] = 6.008, [10] = 5.550, [12] = 5.276, [14] = 5.113, [20] = 4.807, [32] = 4.572, [64] = 4.398,
    };

    private static SweepSpec Albergo(int[] sizes) => new()
    {
        Name = "albergo",
        Points = [.. sizes.Select(l => SweepPoint.Standard(l, -4.0, AlbergoLambda[l]))],
    };

    /// <summary>
    /// The settings of replica <paramref name="replica"/> of <paramref name="algorithm"/> at point <paramref name="point"/>:
    /// what the sweep runs, and what <see cref="Validated"/> checks before anything is written.
    /// </summary>
    public SampleSettings RunSettings(int point, string algorithm, int replica, string directory, string device = "auto", int threads = 0, string modelPath = "")
    {
        var p = Points[point];
        return new SampleSettings
        {
            Algorithm = algorithm,
            Geometry = LatticeGeometry.Square(p.L),
            Action = p.Couplings,
            OutputDirectory = directory,
            Configurations = Configurations,
            Thermalization = Thermalization,
            Chains = Chains,
            SaveEvery = SaveEvery,
            SaveFields = SaveFields,
            Seed = SeedFor(point, replica, algorithm),
            Device = device,
            Threads = threads,
            Metropolis = RunDefaults.Metropolis with { TargetAcceptance = TargetAcceptance },
            Hmc = RunDefaults.Hmc with { Steps = HmcSteps, TargetAcceptance = TargetAcceptance },
            Flow = RunDefaults.Flow with { ModelPath = modelPath, Symmetrize = Flow.Symmetrize },
            Cluster = RunDefaults.Cluster with { TargetAcceptance = TargetAcceptance, Clusters = Clusters },
        };
    }

    /// <summary>Fresh proposals of a sweep's final flow evaluation unless its flow key "eval" says otherwise (a single `train` uses 10⁴).</summary>
    public const long DefaultEvaluationProposals = 2000;

    /// <summary>
    /// The training seconds point <paramref name="point"/> of a ladder with <see cref="FlowTraining.LadderSeconds"/> may
    /// use, given the seconds its predecessors used (<paramref name="used"/>, points 0 … point − 1); 0 (no limit) without
    /// a ladder budget. At least 1 s, so that a point whose predecessors overran still trains and evaluates.
    /// </summary>
    public double LadderAllowance(int point, IReadOnlyList<double> used)
    {
        if (Flow.LadderSeconds <= 0) return Flow.MaxSeconds;
        double left = Flow.LadderSeconds - used.Take(point).Sum();
        double volume = (double)Points[point].L * Points[point].L, rest = Points.Skip(point).Sum(p => (double)p.L * p.L);
        double share = Math.Max(1, left * volume / rest);
        return Flow.MaxSeconds > 0 ? Math.Min(Flow.MaxSeconds, share) : share;
    }

    /// <summary>The flow training at point <paramref name="point"/>.</summary>
    /// <param name="initFrom">A ladder's previous flow, which this one starts from.</param>
    /// <param name="maxSeconds">The point's time limit where a ladder budget sets it (<see cref="LadderAllowance"/>); null: the flow key max_seconds.</param>
    public TrainSettings TrainingSettings(int point, string directory, string device = "auto", int threads = 0, string? initFrom = null, double? maxSeconds = null)
    {
        var p = Points[point];
        return new TrainSettings
        {
            Architecture = Flow.Architecture(p.L),
            InitFrom = initFrom,
            CheckEvery = Flow.CheckEvery,
            KeepBest = Flow.KeepBest,
            Action = p.Couplings,
            OutputDirectory = directory,
            Batch = Flow.Batch,
            Steps = Flow.MaxSteps,
            LearningRate = Flow.LearningRate,
            Schedule = LearningRateSchedule.Parse(Flow.Schedule),
            TargetAcceptance = Flow.TargetAcceptance,
            Seed = SeedFor(point, 0, "flow"),
            Device = device,
            Threads = threads,
            EvaluationProposals = Flow.EvaluationProposals,
            MaxSeconds = maxSeconds ?? Flow.MaxSeconds,
            Symmetrize = Flow.Symmetrize,
        };
    }

    /// <summary>
    /// Checks the whole sweep before anything is run or written: its own keys, every point, and every setting of every
    /// run it will make, through the same <see cref="SampleSettings.ValidatedSettings"/> and
    /// <see cref="TrainSettings.Validated"/> that the runs use. Messages name the sweep file's keys and the value given.
    /// </summary>
    /// <param name="source">What the messages start with: the sweep file's path.</param>
    /// <exception cref="InvalidInputException">The first problem, e.g. "s.json: hmc_steps = 0: need at least one integrator step per trajectory".</exception>
    public SweepSpec Validated(string source = "sweep")
    {
        InvalidInputException Fail(string key, string value, string reason) => new($"{source}: {key} = {value}: {reason}");
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']) >= 0 || Name is "." or "..")
            throw Fail(Key(nameof(Name)), Quote(Name), "a name for the sweep directory (runs/sweep-NAME): letters, digits, - or _");
        string known = string.Join(", ", AllAlgorithms);
        if (Algorithms is null || Algorithms.Count == 0) throw Fail(Key(nameof(Algorithms)), "[]", $"give at least one of {known}");
        for (int a = 0; a < Algorithms!.Count; a++)
        {
            if (!AllAlgorithms.Contains(Algorithms[a])) throw Fail($"{Key(nameof(Algorithms))}[{a}]", Quote(Algorithms[a]), $"unknown algorithm (choose {known})");
            if (Algorithms.Take(a).Contains(Algorithms[a])) throw Fail($"{Key(nameof(Algorithms))}[{a}]", Quote(Algorithms[a]), "listed twice");
        }
        if (Replicas < 1) throw Fail(Key(nameof(Replicas)), Number(Replicas), "need at least 1");
        string ladderSeconds = $"{Key(nameof(Flow))}.{Key(nameof(FlowTraining.LadderSeconds), typeof(FlowTraining))}";
        if (!double.IsFinite(Flow.LadderSeconds) || Flow.LadderSeconds < 0)
            throw Fail(ladderSeconds, Number(Flow.LadderSeconds), "must be a number of seconds ≥ 0 (0: no ladder budget)");
        if (Flow.LadderSeconds > 0 && !Flow.Ladder)
            throw Fail(ladderSeconds, Number(Flow.LadderSeconds), $"a budget for a ladder: set {Key(nameof(Flow))}.{Key(nameof(FlowTraining.Ladder), typeof(FlowTraining))} too");
        if (Points is null || Points.Count == 0) throw Fail(Key(nameof(Points)), "[]", "give at least one point");
        string pointKeys = $"give either \"{Key(nameof(SweepPoint.M2), typeof(SweepPoint))}\" and \"{Key(nameof(SweepPoint.Lam), typeof(SweepPoint))}\" " +
            $"or \"{Key(nameof(SweepPoint.Kappa), typeof(SweepPoint))}\" and \"{Key(nameof(SweepPoint.LamHop), typeof(SweepPoint))}\"";
        var names = new Dictionary<string, int>();
        for (int i = 0; i < Points!.Count; i++)
        {
            var p = Points[i];
            string at = $"{Key(nameof(Points))}[{i}]";
            if (p is null) throw Fail(at, "null", "expected a point {\"L\": …, \"m2\": …, \"lam\": …}");
            if (!p.IsComplete) throw Fail(at, JsonSerializer.Serialize(p, OneLine), pointKeys);
            try
            {
                _ = p.Couplings;
                foreach (string algorithm in Algorithms) RunSettings(i, algorithm, 0, "sweep").ValidatedSettings();
            }
            catch (InvalidSettingException e) { throw new InvalidInputException($"{source}: {Describe(e, i, training: false)}"); }
            // The flow's training only where a flow is trained: an HMC sweep at L = 2 need not fit a 3 × 3 kernel.
            if (Algorithms.Contains("flow"))
            {
                try { TrainingSettings(i, "sweep").Validated(); }
                catch (InvalidSettingException e) { throw new InvalidInputException($"{source}: {Describe(e, i, training: true)}"); }
            }
            if (names.TryGetValue(p.Name, out int first)) throw Fail(at, p.Name, $"the same point as {Key(nameof(Points))}[{first}]");
            if (Flow.Ladder && Algorithms.Contains("flow") && i > 0 && p.L < Points[i - 1].L)
                throw Fail($"{at}.{Key(nameof(SweepPoint.L), typeof(SweepPoint))}", Number(p.L),
                    $"a ladder ({Key(nameof(Flow))}.{Key(nameof(FlowTraining.Ladder), typeof(FlowTraining))}) trains the points in order of L, each from the one before, and the point before this one has L = {Points[i - 1].L}");
            names[p.Name] = i;
        }
        return this;
    }

    /// <summary>
    /// A settings error of the runs at point <paramref name="point"/> in the sweep file's words: the key that holds the
    /// setting (points[1].L for the lattice, hmc_steps for HMC's steps, flow.lr for the learning rate, …).
    /// </summary>
    /// <param name="training">The error came from the flow training's settings (target_acceptance is then flow.target_accept).</param>
    public static string Describe(InvalidSettingException e, int point, bool training)
    {
        string pointKey(string property) => $"{Key(nameof(Points))}[{point}].{Key(property, typeof(SweepPoint))}";
        string flowKey(string property) => $"{Key(nameof(Flow))}.{Key(property, typeof(FlowTraining))}";
        string KeyOf(string setting) => setting switch
        {
            SettingNames.Lx or SettingNames.Ly => pointKey(nameof(SweepPoint.L)),
            SettingNames.M2 => pointKey(nameof(SweepPoint.M2)),
            SettingNames.Lambda => pointKey(nameof(SweepPoint.Lam)),
            SettingNames.Kappa => pointKey(nameof(SweepPoint.Kappa)),
            SettingNames.LambdaHop => pointKey(nameof(SweepPoint.LamHop)),
            SettingNames.Configurations => Key(nameof(Configurations)),
            SettingNames.Thermalization => Key(nameof(Thermalization)),
            SettingNames.Chains => Key(nameof(Chains)),
            SettingNames.SaveEvery => Key(nameof(SaveEvery)),
            SettingNames.SaveFields => $"\"{Key(nameof(SaveFields))}\": false",
            SettingNames.Seed => Key(nameof(Seed)),
            SettingNames.TargetAcceptance => training ? flowKey(nameof(FlowTraining.TargetAcceptance)) : Key(nameof(TargetAcceptance)),
            SettingNames.MdSteps => Key(nameof(HmcSteps)),
            SettingNames.Clusters => Key(nameof(Clusters)),
            SettingNames.Symmetrize => flowKey(nameof(FlowTraining.Symmetrize)),
            SettingNames.Layers => flowKey(nameof(FlowTraining.Layers)),
            SettingNames.Hidden => flowKey(nameof(FlowTraining.Hidden)),
            SettingNames.Kernel => flowKey(nameof(FlowTraining.Kernel)),
            SettingNames.Batch => flowKey(nameof(FlowTraining.Batch)),
            SettingNames.LearningRate => flowKey(nameof(FlowTraining.LearningRate)),
            SettingNames.Steps => flowKey(nameof(FlowTraining.MaxSteps)),
            SettingNames.Schedule => flowKey(nameof(FlowTraining.Schedule)),
            SettingNames.Coupling => flowKey(nameof(FlowTraining.Coupling)),
            SettingNames.Activation => flowKey(nameof(FlowTraining.Activation)),
            SettingNames.FinalTanh => flowKey(nameof(FlowTraining.FinalTanh)),
            SettingNames.Equivariant => flowKey(nameof(FlowTraining.Equivariant)),
            SettingNames.GlobalScale => flowKey(nameof(FlowTraining.GlobalScale)),
            SettingNames.SpectrumScaling => flowKey(nameof(FlowTraining.SpectrumScaling)),
            SettingNames.Clamp => flowKey(nameof(FlowTraining.Clamp)),
            SettingNames.Bins => flowKey(nameof(FlowTraining.Bins)),
            SettingNames.Bound => flowKey(nameof(FlowTraining.Bound)),
            SettingNames.CheckEvery => flowKey(nameof(FlowTraining.CheckEvery)),
            SettingNames.KeepBest => flowKey(nameof(FlowTraining.KeepBest)),
            SettingNames.MaxSeconds => flowKey(nameof(FlowTraining.MaxSeconds)),
            SettingNames.EvaluationProposals => flowKey(nameof(FlowTraining.EvaluationProposals)),
            SettingNames.InitFrom => flowKey(nameof(FlowTraining.Ladder)),
            _ => setting,
        };
        string message = e.Describe(KeyOf);
        // Describe writes "key value: reason"; a file's key reads better as "key = value".
        string key = KeyOf(e.Setting);
        return e.Value.Length > 0 && message.StartsWith(key + " ", StringComparison.Ordinal) ? $"{key} = {message[(key.Length + 1)..]}" : message;
    }

    /// <summary>The JSON options of sweep files: <see cref="JsonFiles.Strict"/> (unknown and duplicate keys are errors), and null only where a key allows it.</summary>
    private static readonly JsonSerializerOptions Options = new(JsonFiles.Strict) { RespectNullableAnnotations = true };

    private static readonly JsonSerializerOptions OneLine = new(Options) { WriteIndented = false };

    /// <summary>The key that holds <paramref name="property"/> of <paramref name="type"/> (default: <see cref="SweepSpec"/>) in sweep files.</summary>
    private static string Key(string property, Type? type = null) =>
        Options.GetTypeInfo(type ?? typeof(SweepSpec)).Properties.Single(p => (p.AttributeProvider as MemberInfo)?.Name == property).Name;

    /// <summary>The keys of a sweep file's object of type <paramref name="type"/> (computed properties are not keys).</summary>
    private static IEnumerable<string> Keys(Type type) => Options.GetTypeInfo(type).Properties.Where(p => p.Set is not null).Select(p => p.Name);

    private static string Quote(string? s) => s is null ? "null" : JsonSerializer.Serialize(s);

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a sweep file (this record in JSON: README) and checks all of it (<see cref="Validated"/>). Every problem is one
    /// line that starts with <paramref name="source"/> and names the key and the value: not JSON, an unknown or repeated
    /// key, a value of the wrong kind, a missing "points", or a setting that a run would refuse.
    /// </summary>
    /// <exception cref="InvalidInputException">The first problem.</exception>
    public static SweepSpec Parse(string json, string source)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e)
        {
            string reason = e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].TrimEnd('.', ' ');
            throw new InvalidInputException($"{source}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {reason}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidInputException($"{source}: a sweep file is one JSON object {{\"points\": [...], ...}} (README)");
            SweepSpec spec;
            try { spec = JsonSerializer.Deserialize<SweepSpec>(json, Options)!; }
            catch (JsonException e) { throw new InvalidInputException($"{source}: {Explain(e, document.RootElement)}"); }
            return spec.Validated(source);
        }
    }

    /// <summary>A deserialisation error in the file's words: the key path, the value there, and what was expected.</summary>
    private static string Explain(JsonException e, JsonElement root)
    {
        var segments = Segments(e.Path);
        string keyPath = string.Concat(segments.Select((s, i) => s.Index is int n ? $"[{n}]" : (i == 0 ? s.Name : "." + s.Name)));
        string text = e.Message;
        if (text.Contains("could not be mapped to any .NET member") || text.Contains("Duplicate property"))
        {
            var parent = TypeAt(segments.SkipLast(1));
            string known = parent is null ? "" : $" (known keys here: {string.Join(", ", Keys(parent))})";
            return text.Contains("Duplicate property") ? $"key \"{keyPath}\" appears twice; give each key once" : $"unknown key \"{keyPath}\"{known}";
        }
        if (text.Contains("missing required properties"))
        {
            var type = TypeAt(segments);
            var present = ElementAt(root, segments) is { ValueKind: JsonValueKind.Object } o ? o.EnumerateObject().Select(p => p.Name).ToHashSet() : [];
            var missing = type is null ? [] : Options.GetTypeInfo(type).Properties.Where(p => p.IsRequired && !present.Contains(p.Name)).Select(p => p.Name).ToList();
            return $"{(keyPath.Length > 0 ? keyPath + ": " : "")}missing {string.Join(", ", missing.Select(m => $"\"{m}\""))} (required)";
        }
        string value = ElementAt(root, segments) is JsonElement v ? Shorten(v.GetRawText()) : "?";
        return $"{keyPath} = {value}: expected {Expected(TypeAt(segments))}";
    }

    private readonly record struct Segment(string Name, int? Index);

    /// <summary>"$.points[1].L" as points, [1], L.</summary>
    private static List<Segment> Segments(string? path)
    {
        var list = new List<Segment>();
        if (string.IsNullOrEmpty(path)) return list;
        foreach (string part in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            string name = part;
            int bracket = name.IndexOf('[');
            string rest = bracket < 0 ? "" : name[bracket..];
            if (bracket >= 0) name = name[..bracket];
            if (name.Length > 0) list.Add(new(name.Trim('\'', '[', ']'), null));
            foreach (string index in rest.Split('[', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(index.TrimEnd(']'), out int n)) list.Add(new("", n));
        }
        return list;
    }

    private static Type? TypeAt(IEnumerable<Segment> segments)
    {
        Type? t = typeof(SweepSpec);
        foreach (var s in segments)
        {
            if (t is null) return null;
            if (s.Index is not null) t = ElementType(t);
            else
            {
                var info = Options.GetTypeInfo(t);
                t = info.Kind == JsonTypeInfoKind.Object ? info.Properties.FirstOrDefault(p => p.Name == s.Name)?.PropertyType : null;
            }
        }
        return t;
    }

    private static Type? ElementType(Type t) =>
        t.IsArray ? t.GetElementType() : t.IsGenericType ? t.GetGenericArguments()[0] : null;

    private static JsonElement? ElementAt(JsonElement root, IEnumerable<Segment> segments)
    {
        JsonElement e = root;
        foreach (var s in segments)
        {
            if (s.Index is int i)
            {
                if (e.ValueKind != JsonValueKind.Array || i >= e.GetArrayLength()) return null;
                e = e[i];
            }
            else
            {
                if (e.ValueKind != JsonValueKind.Object) return null;
                // The last of repeated keys, as the deserialiser sees it.
                JsonElement? found = null;
                foreach (var p in e.EnumerateObject()) if (p.Name == s.Name) found = p.Value;
                if (found is null) return null;
                e = found.Value;
            }
        }
        return e;
    }

    private static string Shorten(string raw)
    {
        raw = string.Join(' ', raw.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return raw.Length <= 40 ? raw : raw[..37] + "...";
    }

    /// <summary>What a key of type <paramref name="t"/> holds, in a reader's words (never a .NET type's name).</summary>
    private static string Expected(Type? t)
    {
        if (t is null) return "another kind of value (README: sweep file)";
        if (Nullable.GetUnderlyingType(t) is Type inner) return Expected(inner) + " or null";
        if (t == typeof(int)) return "a whole number (at most 2147483647)";
        if (t == typeof(long)) return "a whole number";
        if (t == typeof(ulong)) return "a whole number ≥ 0";
        if (t == typeof(double)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(string)) return "a string in quotes";
        if (t == typeof(SweepPoint)) return "a point {\"L\": …, \"m2\": …, \"lam\": …} or {\"L\": …, \"kappa\": …, \"lam_hop\": …}";
        if (t == typeof(FlowTraining)) return $"an object of flow-training keys ({string.Join(", ", Keys(t))})";
        if (ElementType(t) is Type element) return $"a list [...] whose entries are each {Expected(element)}";
        return "an object";
    }

    /// <summary>The canonical JSON of this sweep, stored in the sweep directory to detect a changed sweep file.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>
    /// A sweep directory's stored sweep file, read as the sweep it was: keys added since it was written take the value
    /// the sweep ran with, not today's default. Before flow.symmetrize existed proposals were plain (false); before
    /// flow.schedule existed the learning rate was constant. Null where the file cannot be read as a sweep.
    /// </summary>
    public static SweepSpec? ReadStored(string path)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject root) return null;
            if (root["flow"] is JsonObject flow)
            {
                flow.TryAdd(Key(nameof(FlowTraining.Symmetrize), typeof(FlowTraining)), false);
                flow.TryAdd(Key(nameof(FlowTraining.Schedule), typeof(FlowTraining)), "constant");
            }
            return Parse(root.ToJsonString(), path);
        }
        catch (Exception e) when (e is JsonException or InvalidInputException or ArgumentException or IOException) { return null; }
    }
}
