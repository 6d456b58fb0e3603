using CommandLine;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Cli;

[Verb("sample", HelpText = "Generate an ensemble with local Metropolis, HMC or flow-based Metropolis-Hastings and write a run directory.")]
public sealed class SampleVerb : IVerb
{
    [Option("algo", HelpText = "metropolis | hmc | flow")] public string? Algorithm { get; set; }
    [Option("lattice-size", HelpText = "--L: lattice size L (an L x L lattice).")] public int? L { get; set; }
    [Option("Lx", HelpText = "Lattice extent in x (with --Ly, for rectangular lattices).")] public int? Lx { get; set; }
    [Option("Ly", HelpText = "Lattice extent in y, the time direction of the correlators.")] public int? Ly { get; set; }
    [Option("m2", HelpText = "Bare mass squared m^2.")] public double? M2 { get; set; }
    [Option("lam", HelpText = "Quartic coupling lambda >= 0.")] public double? Lambda { get; set; }
    [Option("kappa", HelpText = "Hopping parameter (instead of --m2/--lam, with --lam-hop).")] public double? Kappa { get; set; }
    [Option("lam-hop", HelpText = "Quartic coupling in the hopping form.")] public double? LambdaHop { get; set; }
    [Option("configs", HelpText = "--n: configurations to save (default 10000).")] public long? Configurations { get; set; }
    [Option("therm", HelpText = "Thermalisation updates, with step-size tuning (default 1000).")] public long? Thermalization { get; set; }
    [Option("seed", HelpText = "Random seed (default 1).")] public ulong? Seed { get; set; }
    [Option("chains", HelpText = "Independent chains in one batch (default 1).")] public int? Chains { get; set; }
    [Option("save-every", HelpText = "Updates between saved configurations (default 1).")] public int? SaveEvery { get; set; }
    [Option("no-fields", HelpText = "Do not write fields.npy (measurements and time slices only).")] public bool NoFields { get; set; }
    [Option("device", Default = "auto", HelpText = "auto | cpu | cuda | opencl | ilgpu-cpu")] public string Device { get; set; } = "auto";
    [Option("threads", Default = 0, HelpText = "CPU threads for --device cpu (0: all cores).")] public int Threads { get; set; }
    [Option("out", Required = true, HelpText = "Run directory to write.")] public string Out { get; set; } = "";
    [Option("resume", HelpText = "Continue an interrupted run in --out exactly where it stopped.")] public bool Resume { get; set; }
    [Option("force", HelpText = "Overwrite an existing run directory.")] public bool Force { get; set; }
    [Option("delta", HelpText = "Metropolis: initial proposal width (default 1).")] public double? Delta { get; set; }
    [Option("hits", HelpText = "Metropolis: hits per site per sweep (default 1).")] public int? Hits { get; set; }
    [Option("traj-length", HelpText = "HMC: initial trajectory length (default 1).")] public double? TrajectoryLength { get; set; }
    [Option("md-steps", HelpText = "HMC: integrator steps per trajectory (default 10).")] public int? MdSteps { get; set; }
    [Option("traj-jitter", HelpText = "HMC: randomised trajectory length, n +- round(j n) integrator steps, uniform, per trajectory (default 0.2; 0: fixed length).")] public double? TrajectoryJitter { get; set; }
    [Option("integrator", HelpText = "HMC: leapfrog | omelyan (default leapfrog).")] public string? Integrator { get; set; }
    [Option("target-accept", HelpText = "Acceptance the step is tuned to during thermalisation (default 0.7; 0: no tuning).")] public double? TargetAcceptance { get; set; }
    [Option("model", HelpText = "flow: the trained model file (from `latticeflow train`); lattice and couplings come from it.")] public string? Model { get; set; }
    [Option("proposal-batch", HelpText = "flow: proposals per chain generated in one batched launch (default 64).")] public int? ProposalBatch { get; set; }
    [Option("symmetrize", HelpText = "flow: Z2-symmetrised proposals ±f(z), proposed with (q(φ) + q(−φ))/2; one inverse pass per proposal.")] public bool Symmetrize { get; set; }
    [Option("checkpoint-every", Default = 10.0, HelpText = "Seconds between checkpoints.")] public double CheckpointSeconds { get; set; }
    [Option("quiet", HelpText = "No progress line.")] public bool Quiet { get; set; }

    public int Run()
    {
        var settings = BuildSettings();
        using var cancel = new InterruptHandler();
        var result = SampleRun.Execute(settings, Quiet ? ProgressReporter.Silent : ProgressReporter.ForStandardError(), cancel.Token);
        Console.WriteLine(RunSummary.Format(result, settings));
        if (result.Configurations > 0) Console.WriteLine(RunSummary.Observables(settings.OutputDirectory));
        return result.Completed ? 0 : 130;
    }

    /// <summary>Command line to settings; on --resume, what is not given comes from the run's checkpoint.</summary>
    public SampleSettings BuildSettings()
    {
        CheckpointState? c = null;
        if (Resume) c = Checkpoint.Read(RunFiles.Path(Out, RunFiles.Checkpoint));
        string algorithm = Algorithm ?? c?.Algorithm ?? throw new InvalidInputException("--algo is required (metropolis, hmc or flow)");
        var flow = c is not null && c.Algorithm == "flow"
            ? System.Text.Json.JsonSerializer.Deserialize<FlowMetropolisSettings>(c.AlgorithmSettings)! : new FlowMetropolisSettings();
        flow = flow with { ModelPath = Model ?? flow.ModelPath, ProposalBatch = ProposalBatch ?? flow.ProposalBatch, Symmetrize = Symmetrize || flow.Symmetrize };
        if (algorithm == "flow") flow = flow.Validated();
        else if (Model is not null) throw new InvalidInputException("--model is only for --algo flow");
        else if (Symmetrize) throw new InvalidInputException("--symmetrize is only for --algo flow");
        var model = algorithm == "flow" && c is null ? LatticeFlow.Flows.ModelFile.Read(flow.ModelPath).Header : null;
        var geometry = Geometry(c, model);
        var couplings = Couplings(c, model);
        var metropolis = c is not null && c.Algorithm == "metropolis"
            ? System.Text.Json.JsonSerializer.Deserialize<MetropolisSettings>(c.AlgorithmSettings)! : new MetropolisSettings();
        var hmc = c is not null && c.Algorithm == "hmc"
            ? System.Text.Json.JsonSerializer.Deserialize<HmcSettings>(c.AlgorithmSettings)! : new HmcSettings();
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
        return new SampleSettings
        {
            Algorithm = algorithm,
            Geometry = geometry,
            Couplings = couplings,
            OutputDirectory = Out,
            Configurations = Configurations ?? (c is null ? 10000 : ReadTarget()),
            Thermalization = Thermalization ?? c?.Thermalization ?? 1000,
            SaveEvery = SaveEvery ?? c?.SaveEvery ?? 1,
            Chains = Chains ?? c?.Chains ?? 1,
            Seed = Seed ?? c?.Seed ?? 1,
            SaveFields = c is null ? !NoFields : File.Exists(RunFiles.Path(Out, RunFiles.Fields)),
            Device = Device,
            Threads = Threads,
            Resume = Resume,
            Force = Force,
            Metropolis = metropolis,
            Hmc = hmc,
            Flow = flow,
            CheckpointSeconds = CheckpointSeconds,
        }.Validated();
    }

    private long ReadTarget() => RunMeta.Read(Out).NTarget;

    private LatticeGeometry Geometry(CheckpointState? c, LatticeFlow.Flows.ModelHeader? model)
    {
        if (L is int l && (Lx is not null || Ly is not null)) throw new InvalidInputException("give either --L or --Lx and --Ly, not both");
        int? lx = L ?? Lx ?? c?.Lx ?? model?.Lx, ly = L ?? Ly ?? c?.Ly ?? model?.Ly;
        if (lx is null || ly is null) throw new InvalidInputException("the lattice size is required: --L, or --Lx and --Ly");
        return new LatticeGeometry(lx.Value, ly.Value);
    }

    private Phi4Couplings Couplings(CheckpointState? c, LatticeFlow.Flows.ModelHeader? model)
    {
        bool standard = M2 is not null || Lambda is not null, hopping = Kappa is not null || LambdaHop is not null;
        if (standard && hopping) throw new InvalidInputException("give either --m2 and --lam or --kappa and --lam-hop, not both");
        if (hopping)
        {
            if (Kappa is null || LambdaHop is null) throw new InvalidInputException("the hopping form needs both --kappa and --lam-hop");
            return Phi4Couplings.Hopping(Kappa.Value, LambdaHop.Value);
        }
        if (standard)
        {
            if (M2 is null || Lambda is null) throw new InvalidInputException("the couplings need both --m2 and --lam");
            return Phi4Couplings.Standard(M2.Value, Lambda.Value);
        }
        if (model is not null) return Phi4Couplings.Standard(model.M2, model.Lambda);
        if (c is not null)
            return c.Kappa is double k && c.LambdaHop is double lh ? Phi4Couplings.Hopping(k, lh) : Phi4Couplings.Standard(c.M2, c.Lambda);
        throw new InvalidInputException("the couplings are required: --m2 and --lam, or --kappa and --lam-hop");
    }

    private static IntegratorKind ParseIntegrator(string name) => name.ToLowerInvariant() switch
    {
        "leapfrog" => IntegratorKind.Leapfrog,
        "omelyan" => IntegratorKind.Omelyan,
        _ => throw new InvalidInputException($"--integrator {name}: unknown integrator (leapfrog or omelyan)"),
    };
}
