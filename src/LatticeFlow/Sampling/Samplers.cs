using LatticeFlow.Devices;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Sampling;

/// <summary>What every sampler is built from besides its own settings: the device, the lattice batch, the action's parameters and the seed.</summary>
/// <param name="Thermalization">Updates of the thermalisation phase: the tuner's planned iterations, and where flow MH starts counting.</param>
public sealed record SamplerContext(ComputeDevice Device, LatticeGeometry Geometry, int Chains, IActionParameters Action, ulong Seed, long Thermalization);

/// <summary>
/// How `bench` times a sampler: fixed settings (no tuning) and the figure it reports, computed from the measured seconds
/// per site and update.
/// </summary>
public sealed record SamplerBenchmark(ISamplerSettings Settings, string Figure, string Unit, Func<double, double> FromSecondsPerSiteUpdate);

/// <summary>
/// One sampler of the registry: its name (on the command line, in meta.json, sweep files and figures), its settings
/// record, and how to build it.
/// </summary>
public sealed class SamplerKind
{
    private readonly Func<SamplerContext, ISamplerSettings, IMarkovSampler> _create;

    private SamplerKind(string name, string summary, ulong seedOffset, Type settingsType, ISamplerSettings defaults,
        IReadOnlyList<string> extraColumns, SamplerBenchmark? benchmark, Func<SamplerContext, ISamplerSettings, IMarkovSampler> create, int maxDimensions)
    {
        MaxDimensions = maxDimensions;
        Name = name;
        Summary = summary;
        SeedOffset = seedOffset;
        SettingsType = settingsType;
        Defaults = defaults;
        ExtraColumns = extraColumns;
        Benchmark = benchmark;
        _create = create;
    }

    public string Name { get; }

    /// <summary>What it is, in a few words.</summary>
    public string Summary { get; }

    /// <summary>
    /// Added to a sweep run's seed (seed + 1000·point + 10·replica + offset): fixed per sampler, below 10 and never reused,
    /// so no sweep directory's seeds change when a sampler is added or the registry reordered.
    /// </summary>
    public ulong SeedOffset { get; }

    /// <summary>The settings record's type: exactly one property of Runs.SampleSettings has it.</summary>
    public Type SettingsType { get; }

    public ISamplerSettings Defaults { get; }

    /// <summary>The columns the sampler adds to measurements.csv (<see cref="IMarkovSampler.ExtraColumns"/>), known before it is built.</summary>
    public IReadOnlyList<string> ExtraColumns { get; }

    /// <summary>The most lattice dimensions it runs on (2 for samplers written for d = 2: the flow, the cluster bonds).</summary>
    public int MaxDimensions { get; }

    /// <summary>How `bench` times it; null where bench has a section of its own (flow MH needs a trained model).</summary>
    public SamplerBenchmark? Benchmark { get; }

    /// <exception cref="InvalidSettingException">Unusable settings.</exception>
    /// <exception cref="ArgumentException"><paramref name="settings"/> is not of <see cref="SettingsType"/>.</exception>
    public IMarkovSampler Create(SamplerContext context, ISamplerSettings settings) =>
        settings.GetType() == SettingsType ? _create(context, settings)
            : throw new ArgumentException($"{Name} takes {SettingsType.Name}, not {settings.GetType().Name}");

    public static SamplerKind Of<TSettings>(string name, string summary, ulong seedOffset, TSettings defaults, IReadOnlyList<string> extraColumns,
        SamplerBenchmark? benchmark, Func<SamplerContext, TSettings, IMarkovSampler> create, int maxDimensions = LatticeGeometry.MaxDimensions)
        where TSettings : class, ISamplerSettings =>
        new(name, summary, seedOffset, typeof(TSettings), defaults, extraColumns, benchmark, (c, s) => create(c, (TSettings)s), maxDimensions);

    public override string ToString() => Name;
}

/// <summary>
/// The one list of samplers (DESIGN.md, principle 7). `sample`, its resume checks, sweeps, `bench`, the figures and the
/// generic tests (the exact free field, agreement with HMC at the tutorial point, determinism across thread counts, exact
/// resume) all enumerate it, and a test fails if a registered sampler is missing from the generic tests: a sampler added
/// here is checked like the others or the build's tests fail.
/// </summary>
public static class Samplers
{
    public static readonly SamplerKind Metropolis = SamplerKind.Of("metropolis", "local checkerboard Metropolis", 2, new MetropolisSettings(), [],
        new SamplerBenchmark(new MetropolisSettings(0.5, 1, 0), "metropolis site updates per second", "updates/s", s => 1 / s),
        (c, s) => new LocalMetropolis(c.Device, c.Geometry, c.Chains, c.Action, s, c.Seed, c.Thermalization));

    public static readonly SamplerKind Hmc = SamplerKind.Of("hmc", "hybrid Monte Carlo", 1, new HmcSettings(), [],
        // A fixed 10 steps per trajectory: the figure is per leapfrog step.
        new SamplerBenchmark(new HmcSettings(0.5, 10, IntegratorKind.Leapfrog, 0) { TrajectoryJitter = 0 },
            "hmc time per site per leapfrog step (whole trajectory / 10 steps)", "ns", s => s * 1e9 / 10),
        (c, s) => new Hmc(c.Device, c.Geometry, c.Chains, c.Action, s, c.Seed, c.Thermalization));

    public static readonly SamplerKind Flow = SamplerKind.Of("flow", "flow-based Metropolis–Hastings", 0, new FlowMetropolisSettings(), ["log_p_minus_log_q"],
        null, (c, s) => new FlowMetropolis(c.Device, c.Geometry, c.Chains, c.Action, s, c.Seed, c.Thermalization), maxDimensions: 2);

    public static readonly SamplerKind Cluster = SamplerKind.Of("cluster", "Metropolis sweep and embedded-Ising Wolff clusters", 3, new ClusterSettings(),
        [ClusterHybrid.FractionColumn],
        new SamplerBenchmark(new ClusterSettings(0.5, 1, 0), $"cluster hybrid time per site per update (sweep + {ClusterSettings.DefaultClusters} clusters)", "ns", s => s * 1e9),
        (c, s) => new ClusterHybrid(c.Device, c.Geometry, c.Chains, c.Action, s, c.Seed, c.Thermalization), maxDimensions: 2);

    /// <summary>Every sampler, in the order help and error messages list them.</summary>
    public static IReadOnlyList<SamplerKind> All { get; } = [Metropolis, Hmc, Flow, Cluster];

    public static IEnumerable<string> Names => All.Select(k => k.Name);

    public static SamplerKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <exception cref="InvalidSettingException">No sampler of that name (setting "algorithm").</exception>
    public static SamplerKind Get(string name) => Find(name)
        ?? throw new InvalidSettingException(SettingNames.Algorithm, name, $"unknown algorithm (choose {string.Join(", ", Names)})");
}
