using System.Globalization;
using CommandLine;
using LatticeFlow.Flows;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Cli;

[Verb("train", HelpText = "Train a Real NVP flow for the phi^4 action by reverse KL and write a model file.")]
public sealed class TrainVerb : IVerb
{
    [Option("lattice-size", HelpText = "Lattice size L (an L x L lattice)."), Setting(SettingNames.Lx, SettingNames.Ly)] public int? L { get; set; }
    [Option("Lx", HelpText = "Lattice extent in x (with --Ly)."), Setting(SettingNames.Lx)] public int? Lx { get; set; }
    [Option("Ly", HelpText = "Lattice extent in y."), Setting(SettingNames.Ly)] public int? Ly { get; set; }
    [Option("m2", HelpText = "Bare mass squared m^2."), Setting(SettingNames.M2)] public double? M2 { get; set; }
    [Option("lam", HelpText = "Quartic coupling lambda >= 0."), Setting(SettingNames.Lambda)] public double? Lambda { get; set; }
    [Option("layers", HelpText = "Coupling layers."), Setting(SettingNames.Layers)] public int? Layers { get; set; }
    [Option("hidden", MetaValue = "N,N,...", HelpText = "Hidden channel widths of each conv net, comma separated."), Setting(SettingNames.Hidden)] public string? Hidden { get; set; }
    [Option("kernel", HelpText = "Odd convolution kernel size."), Setting(SettingNames.Kernel)] public int? Kernel { get; set; }
    [Option("coupling", MetaValue = "NAME", HelpText = "affine | additive | spline (rational-quadratic, with --bins and --bound)."), Setting(SettingNames.Coupling)] public string? Coupling { get; set; }
    [Option("bins", HelpText = "Spline couplings: bins K of the spline (the net gives 3K - 1 values per site)."), Setting(SettingNames.Bins)] public int? Bins { get; set; }
    [Option("bound", HelpText = "Spline couplings: the spline acts on [-B, B], the identity outside."), Setting(SettingNames.Bound)] public double? Bound { get; set; }
    [Option("activation", MetaValue = "NAME", HelpText = "leaky_relu | tanh."), Setting(SettingNames.Activation)] public string? Activation { get; set; }
    [Option("no-final-tanh", HelpText = "No tanh on the conv nets' outputs."), Setting(SettingNames.FinalTanh)] public bool NoFinalTanh { get; set; }
    [Option("equivariant", HelpText = "Z2-equivariant flow: f(-z) = -f(z), so q(-phi) = q(phi) (each coupling averages its net over phi -> -phi: any net, twice the cost per step)."), Setting(SettingNames.Equivariant)] public bool Equivariant { get; set; }
    [Option("global-scale", HelpText = "Add a learnable global rescaling phi -> e^a phi after the couplings."), Setting(SettingNames.GlobalScale)] public bool GlobalScale { get; set; }
    [Option("spectrum-scaling", HelpText = "Add a learnable Gaussian layer in momentum space before the couplings, z -> F^-1 sigma(p^2) F z (long-range correlations)."), Setting(SettingNames.SpectrumScaling)] public bool SpectrumScaling { get; set; }
    [Option("clamp", HelpText = "Affine couplings: soft-clamp the log-scale to (-c, c) (0: no clamp)."), Setting(SettingNames.Clamp)] public double? Clamp { get; set; }
    [Option("init-from", MetaValue = "MODEL", HelpText = "Start from this model's weights (same network; any lattice size and couplings)."), Setting(SettingNames.InitFrom)] public string? InitFrom { get; set; }
    [Option("max-seconds", MetaValue = "SECONDS", HelpText = "Stop training after this many seconds of training, all sessions of a resumed run together (0: no limit)."), Setting(SettingNames.MaxSeconds)] public double? MaxSeconds { get; set; }
    [Option("check-every", MetaValue = "STEPS", HelpText = "Check the acceptance on fresh proposals every this many steps (checks.csv; 0: only the target checks)."), Setting(SettingNames.CheckEvery)] public long? CheckEvery { get; set; }
    [Option("keep-best", HelpText = "Keep as model.lfm the weights with the best acceptance at the checks (needs --check-every)."), Setting(SettingNames.KeepBest)] public bool KeepBest { get; set; }
    [Option("batch", HelpText = "Samples per step."), Setting(SettingNames.Batch)] public int? Batch { get; set; }
    [Option("lr", HelpText = "Adam learning rate."), Setting(SettingNames.LearningRate)] public double? LearningRate { get; set; }
    [Option("betas", MetaValue = "B1,B2", HelpText = "Adam beta1,beta2."), Setting(SettingNames.Beta1, SettingNames.Beta2)] public string? Betas { get; set; }
    [Option("eps", HelpText = "Adam epsilon."), Setting(SettingNames.Epsilon)] public double? Epsilon { get; set; }
    [Option("schedule", MetaValue = "NAME", HelpText = "Learning-rate schedule: constant | cosine (over --steps, or over --max-seconds where that is further along)."), Setting(SettingNames.Schedule)] public string? Schedule { get; set; }
    [Option("clip", HelpText = "Clip the gradient norm to this (0: off)."), Setting(SettingNames.ClipNorm)] public double? Clip { get; set; }
    [Option("steps", HelpText = "Training steps."), Setting(SettingNames.Steps)] public long? Steps { get; set; }
    [Option("seed", HelpText = "Random seed."), Setting(SettingNames.Seed)] public ulong? Seed { get; set; }
    [Option("target-accept", HelpText = "Stop when the Metropolis acceptance reaches this (the running estimate, confirmed on 2048 fresh proposals)."), Setting(SettingNames.TargetAcceptance)] public double? TargetAcceptance { get; set; }
    [Option("target-ess", HelpText = "Stop when the running batch ESS reaches this."), Setting(SettingNames.TargetEss)] public double? TargetEss { get; set; }
    [Option("symmetrize", HelpText = "The target check and final acceptance measure Z2-symmetrised proposals (for sample --symmetrize)."), Setting(SettingNames.Symmetrize)] public bool Symmetrize { get; set; }
    [Option("eval", HelpText = "Fresh proposals for the final acceptance estimate (0: skip)."), Setting(SettingNames.EvaluationProposals)] public long? Evaluation { get; set; }
    [Option("device", MetaValue = "NAME", HelpText = "auto | cpu | cuda | opencl | ilgpu-cpu."), Setting(SettingNames.Device)] public string? Device { get; set; }
    [Option("threads", HelpText = "CPU threads for --device cpu (0: all cores)."), Setting(SettingNames.Threads)] public int? Threads { get; set; }
    [Option("simd", MetaValue = "MODE", HelpText = "Host SIMD twins of the hot kernels on the CPU: auto (the widest this CPU runs) | off (the kernel bodies) | avx2 | avx512."), Setting(SettingNames.Simd)] public string? Simd { get; set; }
    [Option("out", Required = true, MetaValue = "DIR", HelpText = "Output directory."), Setting(SettingNames.OutputDirectory)] public string Out { get; set; } = "";
    [Option("resume", HelpText = "Continue from --out/checkpoint.lfm; options not given come from the checkpoint (--device, --threads, --simd and --checkpoint-every are this session's)."), Setting(SettingNames.Resume)] public bool Resume { get; set; }
    [Option("force", HelpText = "Overwrite an existing output directory."), Setting(SettingNames.Force)] public bool Force { get; set; }
    [Option("checkpoint-every", MetaValue = "SECONDS", HelpText = "Seconds between checkpoints."), Setting(SettingNames.CheckpointSeconds)] public double? CheckpointSeconds { get; set; }
    [Option("quiet", HelpText = "No progress line.")] public bool Quiet { get; set; }

    // Read for its defaults only: TrainSettings, FlowArchitecture and AdamSettings hold them.
    private static readonly TrainSettings Default =
        new() { Architecture = FlowArchitecture.Tutorial(), Action = Phi4Couplings.Tutorial, OutputDirectory = "" };

    public IReadOnlyDictionary<string, object?> Defaults => new Dictionary<string, object?>
    {
        [SettingNames.Layers] = Default.Architecture.Layers,
        [SettingNames.Hidden] = string.Join(",", Default.Architecture.Hidden),
        [SettingNames.Kernel] = Default.Architecture.Kernel,
        [SettingNames.Coupling] = Default.Architecture.Coupling.ToString().ToLowerInvariant(),
        [SettingNames.Activation] = ActivationNames.Name(Default.Architecture.Activation),
        [SettingNames.Batch] = Default.Batch,
        [SettingNames.LearningRate] = Default.LearningRate,
        [SettingNames.Beta1] = string.Create(CultureInfo.InvariantCulture, $"{Default.Adam.Beta1},{Default.Adam.Beta2}"),
        [SettingNames.Epsilon] = Default.Adam.Epsilon,
        [SettingNames.Schedule] = Default.Schedule.ToString().ToLowerInvariant(),
        [SettingNames.ClipNorm] = Default.ClipNorm,
        [SettingNames.Steps] = Default.Steps,
        [SettingNames.Seed] = Default.Seed,
        [SettingNames.EvaluationProposals] = Default.EvaluationProposals,
        [SettingNames.Clamp] = Default.Architecture.Clamp,
        [SettingNames.Bins] = Default.Architecture.Bins,
        [SettingNames.Bound] = Default.Architecture.Bound,
        [SettingNames.CheckEvery] = Default.CheckEvery,
        [SettingNames.MaxSeconds] = Default.MaxSeconds,
        [SettingNames.Device] = Default.Device,
        [SettingNames.Threads] = Default.Threads,
        [SettingNames.Simd] = Default.Simd,
        [SettingNames.CheckpointSeconds] = Default.CheckpointSeconds,
    };

    public int Run()
    {
        var settings = BuildSettings();
        using var cancel = new InterruptHandler();
        var r = TrainRun.Execute(settings, Quiet ? ProgressReporter.Silent : ProgressReporter.ForStandardError(), cancel.Token);
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"train: {r.Status}: {r.Message}{(r.Status == "interrupted" ? " (continue with --resume)" : "")}");
        Console.WriteLine(string.Create(c, $"  {r.Steps} steps in {r.Seconds:F1} s ({r.StepsPerSecond:F1} steps/s) on {r.Device}"));
        Console.WriteLine(string.Create(c, $"  final loss {r.FinalLoss:F4} (last batch; running mean {r.RunningLoss:F4}), running batch ESS {r.RunningEss:F3}, running acceptance {r.RunningAcceptance:F3}"));
        if (settings.Symmetrize && settings.Architecture.Equivariant)
            Console.WriteLine("  note: --symmetrize is redundant for an equivariant flow (q(-phi) = q(phi) already); its proposals are not mirrored");
        if (r.Best is FlowCheck best)
            Console.WriteLine(string.Create(c, $"  keep-best: the model holds the weights of step {best.Step} (acceptance {best.Acceptance:F3} on fresh proposals)"));
        if (r.Quality is FlowQuality q)
            Console.WriteLine(string.Create(c, $"  independence Metropolis on {q.Proposals} fresh{(settings.ChecksSymmetrized ? " Z2-symmetrised" : "")} proposals: acceptance {q.Acceptance:F3}, ESS {q.Ess:F3}, <log q + S> {q.MeanLoss:F4}"));
        // Only a file this run wrote: a diverged run writes no model, and one left from before is not its result.
        Console.WriteLine(r.ModelPath is string model ? $"  model: {model}"
            : $"  no model written{(r.CheckpointPath is string checkpoint ? $"; the last good checkpoint is {checkpoint} (--resume continues from it)" : "")}");
        return r.Status == "diverged" ? 1 : r.Completed ? 0 : 130;
    }

    /// <summary>
    /// Command line to settings: on --resume, what is not given comes from the checkpoint (its architecture and its
    /// stored training settings, <see cref="StoredTrainSettings"/>); with --init-from, the network from that model; else
    /// from <see cref="TrainSettings"/>'s defaults.
    /// </summary>
    public TrainSettings BuildSettings()
    {
        ModelHeader? c = null;
        StoredTrainSettings? t = null;
        if (Resume)
        {
            string path = Path.Combine(Out, TrainRun.Checkpoint);
            c = ModelFile.Read(path).Header;
            t = StoredTrainSettings.Read(c.Training, path);
        }
        // The network options not given: the checkpoint's on a resume, the model's with --init-from (which must be the same
        // network; an unreadable model is refused, in one line, by the settings' own check).
        ModelHeader? net = c;
        if (!Resume && InitFrom is not null)
        {
            try { net = ModelFile.Read(InitFrom).Header; }
            catch (InvalidInputException) { }
        }
        if (L is not null && (Lx is not null || Ly is not null)) throw new InvalidInputException("give either --L or --Lx and --Ly, not both");
        int lx = L ?? Lx ?? c?.Lx ?? throw new InvalidInputException("the lattice size is required: --L, or --Lx and --Ly");
        int ly = L ?? Ly ?? c?.Ly ?? throw new InvalidInputException("the lattice size is required: --L, or --Lx and --Ly");
        // The action: the checkpoint's on a resume (φ⁴'s m2 and lam may be given again, each replacing its own).
        var stored = c?.Action as Phi4Couplings;
        IActionParameters action = c is not null && M2 is null && Lambda is null ? c.Action
            : Phi4Couplings.Standard(M2 ?? stored?.M2 ?? throw new InvalidInputException("--m2 is required"),
                Lambda ?? stored?.Lambda ?? throw new InvalidInputException("--lam is required"));
        var a = Default.Architecture;
        var arch = a with
        {
            Lx = lx,
            Ly = ly,
            Layers = Layers ?? net?.Layers ?? a.Layers,
            Hidden = Hidden is null ? net?.Hidden ?? a.Hidden : ParseInts(Hidden, "--hidden"),
            Kernel = Kernel ?? net?.Kernel ?? a.Kernel,
            Coupling = (Coupling ?? net?.Coupling) is string coupling ? CouplingNames.Parse(coupling) : a.Coupling,
            Activation = (Activation ?? net?.Activation) is string name ? ActivationNames.Parse(name) : a.Activation,
            FinalTanh = !NoFinalTanh && (net?.FinalTanh ?? a.FinalTanh),
            Equivariant = Equivariant || (net?.Equivariant ?? a.Equivariant),
            GlobalScale = GlobalScale || (net?.GlobalScale ?? a.GlobalScale),
            SpectrumScaling = SpectrumScaling || (net?.SpectrumScaling ?? a.SpectrumScaling),
            Clamp = Clamp ?? net?.Clamp ?? a.Clamp,
            Bins = Bins ?? net?.Bins ?? a.Bins,
            Bound = Bound ?? net?.Bound ?? a.Bound,
        };
        if (arch.Coupling != CouplingKind.Spline && (Bins ?? Bound) is not null)
            throw Bins is int bins ? new InvalidSettingException(SettingNames.Bins, bins, "only spline couplings have bins ({coupling} spline)")
                : new InvalidSettingException(SettingNames.Bound, Bound!.Value, "only spline couplings have an interval ({coupling} spline)");
        double[]? betas = Betas is null ? null : [.. Betas.Split(',').Select(b => ParseDouble(b, "--betas"))];
        if (betas is not null && betas.Length != 2) throw new InvalidInputException($"--betas {Betas}: give two numbers, beta1,beta2");
        return (Default with
        {
            Architecture = arch,
            Action = action,
            OutputDirectory = Out,
            Batch = Batch ?? t?.Batch ?? Default.Batch,
            Steps = Steps ?? t?.Steps ?? Default.Steps,
            LearningRate = LearningRate ?? t?.Lr ?? Default.LearningRate,
            Adam = Default.Adam with
            {
                Beta1 = betas?[0] ?? t?.Beta1 ?? Default.Adam.Beta1,
                Beta2 = betas?[1] ?? t?.Beta2 ?? Default.Adam.Beta2,
                Epsilon = Epsilon ?? t?.Eps ?? Default.Adam.Epsilon,
            },
            Schedule = (Schedule ?? t?.Schedule) is string schedule ? LearningRateSchedule.Parse(schedule) : Default.Schedule,
            ClipNorm = Clip ?? t?.Clip ?? Default.ClipNorm,
            Seed = Seed ?? t?.Seed ?? Default.Seed,
            TargetAcceptance = TargetAcceptance ?? t?.TargetAccept ?? Default.TargetAcceptance,
            TargetEss = TargetEss ?? t?.TargetEss ?? Default.TargetEss,
            EvaluationProposals = Evaluation ?? t?.Eval ?? Default.EvaluationProposals,
            InitFrom = InitFrom,
            CheckEvery = CheckEvery ?? t?.CheckEvery ?? Default.CheckEvery,
            MaxSeconds = MaxSeconds ?? t?.MaxSeconds ?? Default.MaxSeconds,
            KeepBest = KeepBest || (t?.KeepBest ?? Default.KeepBest),
            Symmetrize = Symmetrize || (t?.Symmetrize ?? Default.Symmetrize),
            Device = Device ?? Default.Device,
            Threads = Threads ?? Default.Threads,
            Simd = Simd ?? Default.Simd,
            Resume = Resume,
            Force = Force,
            CheckpointSeconds = CheckpointSeconds ?? Default.CheckpointSeconds,
        }).Validated();
    }

    private static int[] ParseInts(string text, string option)
    {
        try { return [.. text.Split(',', StringSplitOptions.TrimEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture))]; }
        catch (Exception e) when (e is FormatException or OverflowException) { throw new InvalidInputException($"{option} {text}: expected comma-separated whole numbers, e.g. 8,8"); }
    }

    private static double ParseDouble(string text, string option)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return v;
        throw new InvalidInputException($"{option}: '{text}' is not a number");
    }
}
