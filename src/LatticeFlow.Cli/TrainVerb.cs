using System.Globalization;
using CommandLine;
using LatticeFlow.Flows;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Cli;

[Verb("train", HelpText = "Train a Real NVP flow for the phi^4 action by reverse KL and write a model file.")]
public sealed class TrainVerb : IVerb
{
    [Option("lattice-size", HelpText = "--L: lattice size L (an L x L lattice).")] public int? L { get; set; }
    [Option("Lx", HelpText = "Lattice extent in x (with --Ly).")] public int? Lx { get; set; }
    [Option("Ly", HelpText = "Lattice extent in y.")] public int? Ly { get; set; }
    [Option("m2", HelpText = "Bare mass squared m^2.")] public double? M2 { get; set; }
    [Option("lam", HelpText = "Quartic coupling lambda >= 0.")] public double? Lambda { get; set; }
    [Option("layers", HelpText = "Coupling layers (default 16).")] public int? Layers { get; set; }
    [Option("hidden", HelpText = "Hidden channel widths of each conv net, comma separated (default 8,8).")] public string? Hidden { get; set; }
    [Option("kernel", HelpText = "Odd convolution kernel size (default 3).")] public int? Kernel { get; set; }
    [Option("coupling", HelpText = "affine | additive (default affine).")] public string? Coupling { get; set; }
    [Option("activation", HelpText = "leaky_relu | tanh (default leaky_relu).")] public string? Activation { get; set; }
    [Option("no-final-tanh", HelpText = "No tanh on the conv nets' outputs.")] public bool NoFinalTanh { get; set; }
    [Option("batch", HelpText = "Samples per step (default 64).")] public int? Batch { get; set; }
    [Option("lr", HelpText = "Adam learning rate (default 1e-3).")] public double? LearningRate { get; set; }
    [Option("betas", HelpText = "Adam beta1,beta2 (default 0.9,0.999).")] public string? Betas { get; set; }
    [Option("eps", HelpText = "Adam epsilon (default 1e-8).")] public double? Epsilon { get; set; }
    [Option("schedule", HelpText = "Learning-rate schedule: constant | cosine (default constant).")] public string? Schedule { get; set; }
    [Option("clip", HelpText = "Clip the gradient norm to this (default 0: off).")] public double? Clip { get; set; }
    [Option("steps", HelpText = "Training steps (default 2500).")] public long? Steps { get; set; }
    [Option("seed", HelpText = "Random seed (default 1).")] public ulong? Seed { get; set; }
    [Option("target-accept", HelpText = "Stop when the Metropolis acceptance reaches this (the running estimate, confirmed on 2048 fresh proposals).")] public double? TargetAcceptance { get; set; }
    [Option("target-ess", HelpText = "Stop when the running batch ESS reaches this.")] public double? TargetEss { get; set; }
    [Option("symmetrize", HelpText = "The target check and final acceptance measure Z2-symmetrised proposals (for sample --symmetrize).")] public bool Symmetrize { get; set; }
    [Option("eval", HelpText = "Fresh proposals for the final acceptance estimate (default 10000; 0: skip).")] public long? Evaluation { get; set; }
    [Option("device", Default = "auto", HelpText = "auto | cpu | cuda | opencl | ilgpu-cpu")] public string Device { get; set; } = "auto";
    [Option("threads", Default = 0, HelpText = "CPU threads for --device cpu (0: all cores).")] public int Threads { get; set; }
    [Option("out", Required = true, HelpText = "Output directory.")] public string Out { get; set; } = "";
    [Option("resume", HelpText = "Continue from --out/checkpoint.lfm.")] public bool Resume { get; set; }
    [Option("force", HelpText = "Overwrite an existing output directory.")] public bool Force { get; set; }
    [Option("checkpoint-every", Default = 30.0, HelpText = "Seconds between checkpoints.")] public double CheckpointSeconds { get; set; }
    [Option("quiet", HelpText = "No progress line.")] public bool Quiet { get; set; }

    public int Run()
    {
        var settings = BuildSettings();
        using var cancel = new InterruptHandler();
        var r = TrainRun.Execute(settings, Quiet ? ProgressReporter.Silent : ProgressReporter.ForStandardError(), cancel.Token);
        Console.WriteLine($"train: {r.Status}: {r.Message}");
        Console.WriteLine($"  {r.Steps} steps in {r.Seconds:F1} s ({r.StepsPerSecond:F1} steps/s) on {r.Device}");
        Console.WriteLine($"  final loss {r.FinalLoss:F4}, running batch ESS {r.RunningEss:F3}, running acceptance {r.RunningAcceptance:F3}");
        if (r.Quality is FlowQuality q)
            Console.WriteLine($"  independence Metropolis on {q.Proposals} fresh{(settings.Symmetrize ? " Z2-symmetrised" : "")} proposals: acceptance {q.Acceptance:F3}, ESS {q.Ess:F3}, <log q + S> {q.MeanLoss:F4}");
        Console.WriteLine($"  model: {Path.Combine(r.OutputDirectory, TrainRun.Model)}");
        return r.Status == "diverged" ? 1 : r.Completed ? 0 : 130;
    }

    /// <summary>Command line to settings; on --resume, what is not given comes from the checkpoint.</summary>
    public TrainSettings BuildSettings()
    {
        ModelHeader? c = null;
        if (Resume) c = ModelFile.Read(Path.Combine(Out, TrainRun.Checkpoint)).Header;
        if (L is not null && (Lx is not null || Ly is not null)) throw new InvalidInputException("give either --L or --Lx and --Ly, not both");
        int lx = L ?? Lx ?? c?.Lx ?? throw new InvalidInputException("the lattice size is required: --L, or --Lx and --Ly");
        int ly = L ?? Ly ?? c?.Ly ?? throw new InvalidInputException("the lattice size is required: --L, or --Lx and --Ly");
        double m2 = M2 ?? c?.M2 ?? throw new InvalidInputException("--m2 is required");
        double lam = Lambda ?? c?.Lambda ?? throw new InvalidInputException("--lam is required");
        var arch = new FlowArchitecture
        {
            Lx = lx,
            Ly = ly,
            Layers = Layers ?? c?.Layers ?? 16,
            Hidden = Hidden is null ? c?.Hidden ?? [8, 8] : ParseInts(Hidden, "--hidden"),
            Kernel = Kernel ?? c?.Kernel ?? 3,
            Coupling = (Coupling ?? c?.Coupling ?? "affine").ToLowerInvariant() switch
            {
                "affine" => CouplingKind.Affine,
                "additive" => CouplingKind.Additive,
                var x => throw new InvalidInputException($"--coupling {x}: unknown coupling (affine or additive)"),
            },
            Activation = ActivationNames.Parse(Activation ?? c?.Activation ?? "leaky_relu"),
            FinalTanh = c is not null && !NoFinalTanh ? c.FinalTanh : !NoFinalTanh,
        };
        var t = c?.Training;
        double[] betas = Betas is null ? [Get(t, "beta1", 0.9), Get(t, "beta2", 0.999)] : [.. Betas.Split(',').Select(b => ParseDouble(b, "--betas"))];
        if (betas.Length != 2) throw new InvalidInputException($"--betas {Betas}: give two numbers, beta1,beta2");
        return new TrainSettings
        {
            Architecture = arch,
            Couplings = Phi4Couplings.Standard(m2, lam),
            OutputDirectory = Out,
            Batch = Batch ?? (int)Get(t, "batch", 64),
            Steps = Steps ?? (long)Get(t, "steps", 2500),
            LearningRate = LearningRate ?? Get(t, "lr", 1e-3),
            Adam = new AdamSettings { Beta1 = betas[0], Beta2 = betas[1], Epsilon = Epsilon ?? Get(t, "eps", 1e-8) },
            Schedule = LearningRateSchedule.Parse(Schedule ?? (t is not null && t.TryGetValue("schedule", out var s) ? s.GetString()! : "constant")),
            ClipNorm = Clip ?? Get(t, "clip", 0),
            Seed = Seed ?? (ulong)Get(t, "seed", 1),
            TargetAcceptance = TargetAcceptance,
            TargetEss = TargetEss,
            EvaluationProposals = Evaluation ?? 10000,
            Symmetrize = Symmetrize || (t is not null && t.TryGetValue("symmetrize", out var sym) && sym.GetBoolean()),
            Device = Device,
            Threads = Threads,
            Resume = Resume,
            Force = Force,
            CheckpointSeconds = CheckpointSeconds,
        }.Validated();
    }

    private static double Get(Dictionary<string, System.Text.Json.JsonElement>? t, string key, double fallback) =>
        t is not null && t.TryGetValue(key, out var e) ? e.GetDouble() : fallback;

    private static int[] ParseInts(string text, string option)
    {
        try { return [.. text.Split(',', StringSplitOptions.TrimEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture))]; }
        catch (FormatException) { throw new InvalidInputException($"{option} {text}: expected comma-separated integers, e.g. 8,8"); }
    }

    private static double ParseDouble(string text, string option)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return v;
        throw new InvalidInputException($"{option}: '{text}' is not a number");
    }
}
