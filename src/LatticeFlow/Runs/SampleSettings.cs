using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Runs;

/// <summary>Everything a `sample` run needs; the CLI builds it, tests build it directly.</summary>
public sealed record SampleSettings
{
    public required string Algorithm { get; init; }
    public required LatticeGeometry Geometry { get; init; }
    public required Phi4Couplings Couplings { get; init; }
    public required string OutputDirectory { get; init; }
    public long Configurations { get; init; } = 1000;
    public long Thermalization { get; init; } = 1000;
    public int SaveEvery { get; init; } = 1;
    public int Chains { get; init; } = 1;
    public ulong Seed { get; init; } = 1;
    public bool SaveFields { get; init; } = true;
    public string Device { get; init; } = "auto";
    public int Threads { get; init; }
    public bool Resume { get; init; }
    public bool Force { get; init; }
    public MetropolisSettings Metropolis { get; init; } = new();
    public HmcSettings Hmc { get; init; } = new();
    public FlowMetropolisSettings Flow { get; init; } = new();

    /// <summary>Seconds between checkpoints (and flushes of the ensemble files).</summary>
    public double CheckpointSeconds { get; init; } = 10;

    public static readonly string[] Algorithms = ["metropolis", "hmc", "flow"];

    /// <summary>Checks everything that can be checked before a directory is touched.</summary>
    public SampleSettings Validated()
    {
        if (!Algorithms.Contains(Algorithm))
            throw new InvalidInputException($"--algo {Algorithm}: unknown algorithm (choose {string.Join(", ", Algorithms)})");
        if (Configurations <= 0) throw new InvalidInputException($"--n {Configurations}: the number of configurations must be positive");
        if (Thermalization < 0) throw new InvalidInputException($"--therm {Thermalization}: must be ≥ 0");
        if (SaveEvery < 1) throw new InvalidInputException($"--save-every {SaveEvery}: must be ≥ 1");
        if (Chains < 1) throw new InvalidInputException($"--chains {Chains}: need at least one chain");
        if (Threads < 0) throw new InvalidInputException($"--threads {Threads}: must be ≥ 0 (0: all cores)");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new InvalidInputException("--out: an output directory is required");
        if (Thermalization + Configurations * SaveEvery >= uint.MaxValue)
            throw new InvalidInputException("run too long: at most 2^32 updates (the random-number counter is 32 bits per step)");
        if ((long)Geometry.Volume * Chains > int.MaxValue / 2)
            throw new InvalidInputException($"{Chains} chains of {Geometry}: too many sites for one batch");
        if (Algorithm == "metropolis") Metropolis.Validated();
        if (Algorithm == "hmc") Hmc.Validated();
        if (Algorithm == "flow")
        {
            Flow.Validated();
            Flows.ModelFile.CheckMatches(Flows.ModelFile.Read(Flow.ModelPath).Header, Geometry.Lx, Geometry.Ly, Couplings, Flow.ModelPath);
        }
        if (!double.IsFinite(CheckpointSeconds) || CheckpointSeconds <= 0) throw new InvalidInputException("checkpoint interval must be positive");
        return this;
    }
}
