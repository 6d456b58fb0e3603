using CommandLine;
using LatticeFlow.Analysis;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Cli;

[Verb("sample", HelpText = "Generate an ensemble with local Metropolis, HMC, flow-based Metropolis-Hastings or the cluster hybrid and write a run directory.")]
public sealed class SampleVerb : IVerb
{
    [Option("algo", MetaValue = "NAME", HelpText = "metropolis | hmc | flow | cluster."), Setting(SettingNames.Algorithm)] public string? Algorithm { get; set; }
    [Option("lattice-size", HelpText = "Lattice size L (an L x L lattice, or L^d with --dim)."), Setting(SettingNames.Lx, SettingNames.Ly, SettingNames.Extents)] public int? L { get; set; }
    [Option("Lx", HelpText = "Lattice extent in x (with --Ly, for rectangular lattices)."), Setting(SettingNames.Lx)] public int? Lx { get; set; }
    [Option("Ly", HelpText = "Lattice extent in y, the time direction of the correlators."), Setting(SettingNames.Ly)] public int? Ly { get; set; }
    [Option("dim", HelpText = "Dimensions d of the L^d lattice given by --L: 2, 3 or 4 (metropolis and hmc; flow and cluster are d = 2 only). (default 2)"), Setting(SettingNames.Dimensions)] public int? Dim { get; set; }
    [Option("extents", Separator = ',', MetaValue = "L0,L1,..", HelpText = "Lattice extents L0,...,L(d-1), d = 2-4, e.g. 8,8,16; the last is the time direction of the correlators."), Setting(SettingNames.Extents, SettingNames.Lx, SettingNames.Ly)] public IEnumerable<int>? Extents { get; set; }
    [Option("m2", HelpText = "Bare mass squared m^2."), Setting(SettingNames.M2)] public double? M2 { get; set; }
    [Option("lam", HelpText = "Quartic coupling lambda >= 0."), Setting(SettingNames.Lambda)] public double? Lambda { get; set; }
    [Option("kappa", HelpText = "Hopping parameter (instead of --m2/--lam, with --lam-hop)."), Setting(SettingNames.Kappa)] public double? Kappa { get; set; }
    [Option("lam-hop", HelpText = "Quartic coupling in the hopping form."), Setting(SettingNames.LambdaHop)] public double? LambdaHop { get; set; }
    [Option("configs", HelpText = "Configurations to save."), Setting(SettingNames.Configurations)] public long? Configurations { get; set; }
    [Option("therm", HelpText = "Thermalisation updates, with step-size tuning."), Setting(SettingNames.Thermalization)] public long? Thermalization { get; set; }
    [Option("seed", HelpText = "Random seed."), Setting(SettingNames.Seed)] public ulong? Seed { get; set; }
    [Option("chains", HelpText = "Independent chains in one batch."), Setting(SettingNames.Chains)] public int? Chains { get; set; }
    [Option("save-every", HelpText = "Updates between saved configurations."), Setting(SettingNames.SaveEvery)] public int? SaveEvery { get; set; }
    [Option("no-fields", HelpText = "Do not write fields.npy (measurements and time slices only)."), Setting(SettingNames.SaveFields)] public bool NoFields { get; set; }
    [Option("device", MetaValue = "NAME", HelpText = "auto | cpu | cuda | opencl | ilgpu-cpu."), Setting(SettingNames.Device)] public string? Device { get; set; }
    [Option("threads", HelpText = "CPU threads for --device cpu (0: all cores)."), Setting(SettingNames.Threads)] public int? Threads { get; set; }
    [Option("simd", MetaValue = "MODE", HelpText = "Host SIMD twins of the hot kernels on the CPU: auto (the widest this CPU runs) | off (the kernel bodies) | avx2 | avx512."), Setting(SettingNames.Simd)] public string? Simd { get; set; }
    [Option("out", Required = true, MetaValue = "DIR", HelpText = "Run directory to write."), Setting(SettingNames.OutputDirectory)] public string Out { get; set; } = "";
    [Option("resume", HelpText = "Continue the run in --out where it stopped; options not given come from its checkpoint (--device, --threads, --simd and --checkpoint-every are this session's)."), Setting(SettingNames.Resume)] public bool Resume { get; set; }
    [Option("force", HelpText = "Replace an existing run directory (only one that holds a LatticeFlow run)."), Setting(SettingNames.Force)] public bool Force { get; set; }
    [Option("delta", HelpText = "Metropolis and cluster: initial proposal width of the Metropolis sweep."), Setting(SettingNames.Delta)] public double? Delta { get; set; }
    [Option("hits", HelpText = "Metropolis and cluster: hits per site per sweep."), Setting(SettingNames.Hits)] public int? Hits { get; set; }
    [Option("clusters", HelpText = "cluster: Wolff single-cluster flips of the embedded Ising signs after each Metropolis sweep."), Setting(SettingNames.Clusters)] public int? Clusters { get; set; }
    [Option("traj-length", HelpText = "HMC: initial trajectory length."), Setting(SettingNames.TrajectoryLength)] public double? TrajectoryLength { get; set; }
    [Option("md-steps", HelpText = "HMC: integrator steps per trajectory."), Setting(SettingNames.MdSteps)] public int? MdSteps { get; set; }
    [Option("traj-jitter", HelpText = "HMC: randomised trajectory length, n +- round(j n) integrator steps, uniform, per trajectory (0: fixed length)."), Setting(SettingNames.TrajectoryJitter)] public double? TrajectoryJitter { get; set; }
    [Option("integrator", MetaValue = "NAME", HelpText = "HMC: leapfrog | omelyan."), Setting(SettingNames.Integrator)] public string? Integrator { get; set; }
    [Option("target-accept", HelpText = "Acceptance the step is tuned to during thermalisation (0: no tuning)."), Setting(SettingNames.TargetAcceptance)] public double? TargetAcceptance { get; set; }
    [Option("model", MetaValue = "FILE", HelpText = "flow: the trained model file (from `latticeflow train`); lattice and couplings come from it."), Setting(SettingNames.ModelPath)] public string? Model { get; set; }
    [Option("proposal-batch", HelpText = "flow: proposals per chain generated in one batched launch."), Setting(SettingNames.ProposalBatch)] public int? ProposalBatch { get; set; }
    [Option("symmetrize", HelpText = "flow: Z2-symmetrised proposals ±f(z), proposed with (q(φ) + q(−φ))/2; one inverse pass per proposal."), Setting(SettingNames.Symmetrize)] public bool Symmetrize { get; set; }
    [Option("checkpoint-every", MetaValue = "SECONDS", HelpText = "Seconds between checkpoints."), Setting(SettingNames.CheckpointSeconds)] public double? CheckpointSeconds { get; set; }
    [Option("quiet", HelpText = "No progress line.")] public bool Quiet { get; set; }

    // Read for its defaults only: SampleSettings holds them.
    private static readonly SampleSettings Default =
        new() { Algorithm = "metropolis", Geometry = LatticeGeometry.Square(2), Action = Phi4Couplings.Tutorial, OutputDirectory = "" };

    public IReadOnlyDictionary<string, object?> Defaults => new Dictionary<string, object?>
    {
        [SettingNames.Configurations] = Default.Configurations,
        [SettingNames.Thermalization] = Default.Thermalization,
        [SettingNames.Seed] = Default.Seed,
        [SettingNames.Chains] = Default.Chains,
        [SettingNames.SaveEvery] = Default.SaveEvery,
        [SettingNames.Device] = Default.Device,
        [SettingNames.Threads] = Default.Threads,
        [SettingNames.Simd] = Default.Simd,
        [SettingNames.Delta] = Default.Metropolis.Delta,
        [SettingNames.Hits] = Default.Metropolis.Hits,
        [SettingNames.Clusters] = Default.Cluster.Clusters,
        [SettingNames.TrajectoryLength] = Default.Hmc.TrajectoryLength,
        [SettingNames.MdSteps] = Default.Hmc.Steps,
        [SettingNames.TrajectoryJitter] = Default.Hmc.TrajectoryJitter,
        [SettingNames.Integrator] = Default.Hmc.Integrator.ToString().ToLowerInvariant(),
        [SettingNames.TargetAcceptance] = Default.Hmc.TargetAcceptance,
        [SettingNames.ProposalBatch] = Default.Flow.ProposalBatch,
        [SettingNames.CheckpointSeconds] = Default.CheckpointSeconds,
    };

    public int Run()
    {
        var settings = BuildSettings();
        var storage = settings.Storage();
        if (storage.IsLarge)
            Console.Error.WriteLine($"latticeflow: warning: this run will write about {StorageEstimate.Format(storage.Total)}" +
                (settings.SaveFields ? $" ({StorageEstimate.Format(storage.Fields)} of them fields.npy; --no-fields or --save-every k write less)" : "") +
                (storage.Free is long free ? $"; {StorageEstimate.Format(free)} free in {storage.FileSystemPath}" : ""));
        if (settings.Algorithm == "flow" && settings.Flow.Symmetrize && LatticeFlow.Flows.ModelFile.Read(settings.Flow.ModelPath).Header.Equivariant)
            Console.Error.WriteLine("latticeflow: note: --symmetrize is redundant for a Z2-equivariant model (q(-phi) = q(phi) already): proposals are not mirrored, which costs nothing");
        using var cancel = new InterruptHandler();
        var result = SampleRun.Execute(settings, Quiet ? ProgressReporter.Silent : ProgressReporter.ForStandardError(), cancel.Token);
        Console.WriteLine(RunSummary.Format(result, settings));
        if (result.Configurations > 0) Console.WriteLine(RunSummary.Observables(settings.OutputDirectory));
        return result.Completed ? 0 : 130;
    }

    /// <summary>
    /// Command line to settings: what is not given comes from the run's checkpoint on --resume, else from
    /// <see cref="SampleSettings"/>'s defaults. Everything is checked here (<see cref="SampleSettings.Validated"/>),
    /// before any file is touched.
    /// </summary>
    public SampleSettings BuildSettings()
    {
        CheckpointState? c = null;
        if (Resume) c = Checkpoint.Read(RunFiles.Path(Out, RunFiles.Checkpoint));
        string algorithm = Algorithm ?? c?.Algorithm ?? throw new InvalidInputException($"--algo is required ({string.Join(", ", Samplers.Names)})");
        var flow = Stored(c, Samplers.Flow, Default.Flow);
        flow = flow with { ModelPath = Model ?? flow.ModelPath, ProposalBatch = ProposalBatch ?? flow.ProposalBatch, Symmetrize = Symmetrize || flow.Symmetrize };
        if (algorithm == "flow") flow = flow.Validated();
        else if (Model is not null) throw new InvalidInputException("--model is only for --algo flow");
        else if (Symmetrize) throw new InvalidInputException("--symmetrize is only for --algo flow");
        if (Clusters is not null && algorithm != Samplers.Cluster.Name) throw new InvalidInputException("--clusters is only for --algo cluster");
        var model = algorithm == "flow" && c is null ? LatticeFlow.Flows.ModelFile.Read(flow.ModelPath).Header : null;
        var geometry = Geometry(c, model);
        var action = Action(c, model, geometry.Dimensions);
        var metropolis = Stored(c, Samplers.Metropolis, Default.Metropolis);
        var hmc = Stored(c, Samplers.Hmc, Default.Hmc);
        var cluster = Stored(c, Samplers.Cluster, Default.Cluster);
        metropolis = metropolis with
        {
            Delta = Delta ?? metropolis.Delta,
            Hits = Hits ?? metropolis.Hits,
            TargetAcceptance = TargetAcceptance ?? metropolis.TargetAcceptance,
        };
        hmc = hmc with
        {
            TrajectoryLength = TrajectoryLength ?? hmc.TrajectoryLength,
            Steps = MdSteps ?? hmc.Steps,
            Integrator = Integrator is null ? hmc.Integrator : ParseIntegrator(Integrator),
            TargetAcceptance = TargetAcceptance ?? hmc.TargetAcceptance,
            TrajectoryJitter = TrajectoryJitter ?? hmc.TrajectoryJitter,
        };
        cluster = cluster with
        {
            Delta = Delta ?? cluster.Delta,
            Hits = Hits ?? cluster.Hits,
            TargetAcceptance = TargetAcceptance ?? cluster.TargetAcceptance,
            Clusters = Clusters ?? cluster.Clusters,
        };
        return (Default with
        {
            Algorithm = algorithm,
            Geometry = geometry,
            Action = action,
            OutputDirectory = Out,
            Configurations = Configurations ?? (c is null ? Default.Configurations : ReadTarget()),
            Thermalization = Thermalization ?? c?.Thermalization ?? Default.Thermalization,
            SaveEvery = SaveEvery ?? c?.SaveEvery ?? Default.SaveEvery,
            Chains = Chains ?? c?.Chains ?? Default.Chains,
            Seed = Seed ?? c?.Seed ?? Default.Seed,
            SaveFields = c is null ? !NoFields : File.Exists(RunFiles.Path(Out, RunFiles.Fields)),
            Device = Device ?? Default.Device,
            Threads = Threads ?? Default.Threads,
            Simd = Simd ?? Default.Simd,
            Resume = Resume,
            Force = Force,
            Metropolis = metropolis,
            Hmc = hmc,
            Flow = flow,
            Cluster = cluster,
            CheckpointSeconds = CheckpointSeconds ?? Default.CheckpointSeconds,
        }).Validated();
    }

    private long ReadTarget() => RunMeta.Read(Out).NTarget;

    /// <summary>The run's own settings where the checkpoint is of <paramref name="kind"/>'s run, else the defaults.</summary>
    private static T Stored<T>(CheckpointState? c, SamplerKind kind, T defaults) where T : class =>
        c is not null && c.Algorithm == kind.Name ? System.Text.Json.JsonSerializer.Deserialize<T>(c.AlgorithmSettings)! : defaults;

    private LatticeGeometry Geometry(CheckpointState? c, LatticeFlow.Flows.ModelHeader? model)
    {
        int[] extents = [.. Extents ?? []];
        if (L is int l && (Lx is not null || Ly is not null)) throw new InvalidInputException("give either --L or --Lx and --Ly, not both");
        if (extents.Length > 0 && (L is not null || Lx is not null || Ly is not null || Dim is not null))
            throw new InvalidInputException("give either --extents or --L (with --dim) or --Lx and --Ly, not several");
        if (Dim is not null && (Lx is not null || Ly is not null)) throw new InvalidInputException("--dim goes with --L; for other shapes give --extents");
        if (Dim is not null && L is null) throw new InvalidInputException("--dim needs --L (an L^d lattice)");
        if (extents.Length > 0) return new LatticeGeometry(extents);
        if (L is int size) return LatticeGeometry.Hypercube(size, Dim ?? 2);
        if (Lx is not null || Ly is not null)
        {
            if (Lx is null || Ly is null) throw new InvalidInputException("give both --Lx and --Ly");
            return new LatticeGeometry(Lx.Value, Ly.Value);
        }
        if (c is not null) return c.Geometry;
        if (model is not null) return new LatticeGeometry(model.Lx, model.Ly);
        throw new InvalidInputException("the lattice size is required: --L (with --dim), --Lx and --Ly, or --extents");
    }

    private IActionParameters Action(CheckpointState? c, LatticeFlow.Flows.ModelHeader? model, int dimensions)
    {
        bool standard = M2 is not null || Lambda is not null, hopping = Kappa is not null || LambdaHop is not null;
        if (standard && hopping) throw new InvalidInputException("give either --m2 and --lam or --kappa and --lam-hop, not both");
        if (hopping)
        {
            if (Kappa is null || LambdaHop is null) throw new InvalidInputException("the hopping form needs both --kappa and --lam-hop");
            return Phi4Couplings.Hopping(Kappa.Value, LambdaHop.Value, dimensions);
        }
        if (standard)
        {
            if (M2 is null || Lambda is null) throw new InvalidInputException("the couplings need both --m2 and --lam");
            return Phi4Couplings.Standard(M2.Value, Lambda.Value);
        }
        if (model is not null) return model.Action;
        if (c is not null) return c.Action;
        throw new InvalidInputException("the couplings are required: --m2 and --lam, or --kappa and --lam-hop");
    }

    private static IntegratorKind ParseIntegrator(string name) => name.ToLowerInvariant() switch
    {
        "leapfrog" => IntegratorKind.Leapfrog,
        "omelyan" => IntegratorKind.Omelyan,
        _ => throw new InvalidSettingException(SettingNames.Integrator, name, "unknown integrator (leapfrog or omelyan)"),
    };
}
