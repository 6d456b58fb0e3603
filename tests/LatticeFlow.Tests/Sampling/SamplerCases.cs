using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Sampling;

/// <summary>What a generic test needs a sampler's settings for: the run's model (flow) and budgets depend on it.</summary>
public enum CasePurpose { FreeField, Tutorial, Short }

/// <summary>
/// How the generic tests (<see cref="RegisteredSamplerTests"/>) run one registered sampler: its budgets at the exact free
/// field and at the tutorial point (a slower sampler needs more configurations for the same error), and what its settings
/// need beyond the defaults (the flow a model trained for the lattice and couplings at hand).
/// </summary>
public sealed record SamplerCase(string Name)
{
    public LatticeGeometry FreeFieldGeometry { get; init; } = new(6, 8);
    public double FreeFieldM2 { get; init; } = 0.5;
    public required long FreeFieldConfigurations { get; init; }
    public int FreeFieldChains { get; init; } = 4;
    public long FreeFieldThermalization { get; init; } = 500;
    public ulong FreeFieldSeed { get; init; } = 17;

    public required long TutorialConfigurations { get; init; }
    public int TutorialChains { get; init; } = 4;
    public long TutorialThermalization { get; init; } = 1000;
    public required ulong TutorialSeed { get; init; }

    /// <summary>The settings of a run of this sampler with everything else already set.</summary>
    public Func<SampleSettings, TrainedModels, CasePurpose, SampleSettings> Configure { get; init; } = (s, _, _) => s;

    public override string ToString() => Name;
}

/// <summary>
/// One case per registered sampler (<see cref="Samplers"/>). A sampler without a case fails every generic test
/// (<see cref="For"/>) and the registry test: adding a sampler means saying here how the common tests run it.
/// </summary>
public static class SamplerCases
{
    public static readonly IReadOnlyList<SamplerCase> All =
    [
        new("metropolis")
        {
            FreeFieldConfigurations = 12000, TutorialConfigurations = 20000, TutorialThermalization = 2000, TutorialSeed = 5,
            Configure = (s, _, p) => p == CasePurpose.FreeField ? s with { Metropolis = new MetropolisSettings(Hits: 2) } : s,
        },
        new("hmc")
        {
            FreeFieldConfigurations = 4000, TutorialConfigurations = 8000, TutorialSeed = 6,
            // The determinism and resume runs keep trajectories short (4 steps), as the damage tests in ResumeTests do.
            Configure = (s, _, p) => p == CasePurpose.Short ? s with { Hmc = new HmcSettings(Steps: 4) } : s,
        },
        new("flow")
        {
            // A poor flow (100 steps) on a small lattice: MH must make any flow exact.
            FreeFieldGeometry = new(4, 6), FreeFieldM2 = 1.0, FreeFieldConfigurations = 20000, FreeFieldThermalization = 50, FreeFieldSeed = 3,
            // A half-size flow trained for 25 s (independence-Metropolis acceptance ≈ 0.29, τ_int ≈ 15).
            TutorialConfigurations = 30000, TutorialChains = 2, TutorialThermalization = 50, TutorialSeed = 4,
            Configure = (s, models, p) => s with
            {
                Flow = s.Flow with
                {
                    ModelPath = p switch
                    {
                        CasePurpose.FreeField => models.Get(s.Geometry.Lx, s.Geometry.Ly, s.Action, 100),
                        CasePurpose.Tutorial => models.Get(8, 8, s.Action, 1500, layers: 8, hidden: [8, 8], learningRate: 3e-3),
                        _ => models.Get(s.Geometry.Lx, s.Geometry.Ly, s.Action, 20, layers: 2),
                    },
                },
            },
        },
        new("cluster") { FreeFieldConfigurations = 4000, TutorialConfigurations = 8000, TutorialSeed = 7 },
    ];

    /// <summary>The case of a registered sampler.</summary>
    /// <exception cref="Xunit.Sdk.XunitException">The sampler has none.</exception>
    public static SamplerCase For(string name) => All.SingleOrDefault(c => c.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"the registered sampler \"{name}\" has no case in SamplerCases: say how the generic tests run it");

    /// <summary>Every registered sampler's name: what the generic theories run over.</summary>
    public static TheoryData<string> Registered() => [.. Samplers.Names];
}
