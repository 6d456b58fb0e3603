using System.Text.Json.Nodes;
using LatticeFlow.Files;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Sweeps;

/// <summary>Where and how a sweep runs.</summary>
public sealed record SweepOptions(string OutputDirectory, string Device = "auto", int Threads = 0, bool AllowChanged = false, int? OnlyPoint = null);

/// <summary>
/// Runs a sweep point by point: train the flow (to the target acceptance or the step budget), then sample
/// with flow MH, HMC and local Metropolis, each replica a run directory kept on disk as an ensemble.
/// Re-running the same command skips finished runs and resumes interrupted ones from their checkpoints.
/// Layout: OUT/sweep.json, OUT/POINT/flow-train/, OUT/POINT/ALGORITHM-rREPLICA/, OUT/summary.{csv,json}, OUT/plots/.
/// Locks (<see cref="DirectoryLock"/>): a full sweep holds OUT and every OUT/POINT; a Slurm array task (one point) holds
/// only its OUT/POINT, so sibling tasks run side by side while a full sweep and a task on the same point refuse each other.
/// Each training and sampling run also locks its own directory.
/// </summary>
public static class SweepRunner
{
    public const string SpecFile = "sweep.json";
    public const string TrainDirectory = "flow-train";

    public static string RunDirectory(string output, SweepPoint p, string algorithm, int replica) =>
        Path.Combine(output, p.Name, $"{algorithm}-r{replica}");

    public static string TrainingDirectory(string output, SweepPoint p) => Path.Combine(output, p.Name, TrainDirectory);

    public static string PointDirectory(string output, SweepPoint p) => Path.Combine(output, p.Name);

    /// <summary>The directories a sweep (or one point of it) must hold the lock of: OUT and every point, or the point alone.</summary>
    private static IEnumerable<string> LockedDirectories(SweepSpec spec, SweepOptions o) => o.OnlyPoint is int only
        ? [PointDirectory(o.OutputDirectory, spec.Points[only])]
        : [o.OutputDirectory, .. spec.Points.Select(p => PointDirectory(o.OutputDirectory, p))];

    /// <summary>Runs every point (or only <see cref="SweepOptions.OnlyPoint"/>); returns false if interrupted.</summary>
    public static bool Run(SweepSpec spec, SweepOptions options, TextWriter log, Func<ProgressReporter> progress, CancellationToken cancel)
    {
        spec = spec.Validated();
        if (options.OnlyPoint is int only && (only < 0 || only >= spec.Points.Count))
            throw new InvalidInputException($"--point {only}: the sweep has points 0..{spec.Points.Count - 1}");
        CheckDirectory(spec, options);
        using var locks = DirectoryLock.AcquireAll(LockedDirectories(spec, options));
        PrepareDirectory(spec, options);
        for (int i = 0; i < spec.Points.Count; i++)
        {
            if (options.OnlyPoint is int o && o != i) continue;
            var point = spec.Points[i];
            log.WriteLine($"== point {i}: {point.Name}");
            foreach (string algorithm in spec.Algorithms.OrderBy(a => Array.IndexOf(SweepSpec.AllAlgorithms, a)))
            {
                string? model = null;
                if (algorithm == "flow")
                {
                    model = Train(spec, options, i, point, log, progress(), cancel);
                    if (model is null) return false;
                }
                for (int r = 0; r < spec.Replicas; r++)
                {
                    if (cancel.IsCancellationRequested) return false;
                    if (!Sample(spec, options, i, point, algorithm, r, model, log, progress(), cancel)) return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// A sweep directory's stored settings in today's form. Directories from before flow.symmetrize existed used plain
    /// proposals: a missing key reads as false there, not as today's default.
    /// </summary>
    private static string StoredSpec(string path)
    {
        string text = File.ReadAllText(path);
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(text) is not System.Text.Json.Nodes.JsonObject root) return text;
            if (root["flow"] is System.Text.Json.Nodes.JsonObject flow && !flow.ContainsKey("symmetrize")) flow["symmetrize"] = false;
            return SweepSpec.Parse(root.ToJsonString(), path).ToJson();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidInputException) { return text; }
    }

    /// <summary>Refuses a directory that holds another sweep or something else; reads only, so a refusal leaves nothing behind.</summary>
    private static void CheckDirectory(SweepSpec spec, SweepOptions o)
    {
        string dir = o.OutputDirectory;
        string path = Path.Combine(dir, SpecFile);
        if (File.Exists(path))
        {
            if (StoredSpec(path) != spec.ToJson() && !o.AllowChanged)
                throw new InvalidInputException($"{dir}: holds a sweep with other settings ({SpecFile} differs); use a new --out, or --allow-changed to continue with the new settings");
        }
        else if (DirectoryLock.HasContent(dir))
        {
            throw new InvalidInputException($"--out {dir}: exists and is not a sweep directory");
        }
    }

    private static void PrepareDirectory(SweepSpec spec, SweepOptions o)
    {
        string dir = o.OutputDirectory;
        string path = Path.Combine(dir, SpecFile);
        string json = spec.ToJson();
        // Again under the lock: a sibling array task may have written sweep.json since.
        if (File.Exists(path) && StoredSpec(path) != json && !o.AllowChanged)
            throw new InvalidInputException($"{dir}: holds a sweep with other settings ({SpecFile} differs); use a new --out, or --allow-changed to continue with the new settings");
        // Slurm array tasks share this directory: write only when the settings differ (a file from an older version that
        // says the same thing stays), and by renaming a complete file, so no task can read a half-written one.
        if (File.Exists(path) && StoredSpec(path) == json) return;
        Files.AtomicFile.WriteAllText(path, json);
    }

    private static string? Train(SweepSpec spec, SweepOptions o, int index, SweepPoint p, TextWriter log, ProgressReporter progress, CancellationToken cancel)
    {
        string dir = TrainingDirectory(o.OutputDirectory, p);
        string model = Path.Combine(dir, TrainRun.Model);
        string summary = Path.Combine(dir, TrainRun.Summary);
        if (File.Exists(summary) && TrainSummary.Read(summary).Completed)
        {
            log.WriteLine($"   flow training: done before ({dir})");
            return model;
        }
        var f = spec.Flow;
        var settings = new TrainSettings
        {
            Architecture = new FlowArchitecture { Lx = p.L, Ly = p.L, Layers = f.Layers, Hidden = f.HiddenOrDefault, Kernel = f.Kernel },
            Couplings = p.Couplings,
            OutputDirectory = dir,
            Batch = f.Batch,
            Steps = f.MaxSteps,
            LearningRate = f.LearningRate,
            Schedule = LearningRateSchedule.Parse(f.Schedule),
            TargetAcceptance = f.TargetAcceptance,
            Seed = spec.SeedFor(index, 0, "flow"),
            Device = o.Device,
            Threads = o.Threads,
            EvaluationProposals = 2000,
            Symmetrize = f.Symmetrize,
            Resume = File.Exists(Path.Combine(dir, TrainRun.Checkpoint)),
            Force = Directory.Exists(dir) && !File.Exists(Path.Combine(dir, TrainRun.Checkpoint)),
        };
        var r = TrainRun.Execute(settings, progress, cancel);
        log.WriteLine($"   flow training: {r.Status} after {r.Steps} steps, {r.Seconds:F0} s, running acceptance {r.RunningAcceptance:F3}");
        if (r.Status == "diverged") throw new InvalidInputException($"{dir}: flow training diverged: {r.Message}");
        return r.Completed ? model : null;
    }

    private static bool Sample(SweepSpec spec, SweepOptions o, int index, SweepPoint p, string algorithm, int replica, string? model,
        TextWriter log, ProgressReporter progress, CancellationToken cancel)
    {
        string dir = RunDirectory(o.OutputDirectory, p, algorithm, replica);
        if (RunMeta.IsComplete(dir))
        {
            log.WriteLine($"   {algorithm} r{replica}: done before");
            return true;
        }
        var b = spec.Budget;
        var settings = new SampleSettings
        {
            Algorithm = algorithm,
            Geometry = LatticeGeometry.Square(p.L),
            Couplings = p.Couplings,
            OutputDirectory = dir,
            Configurations = b.Configurations,
            Thermalization = b.Thermalization,
            Chains = b.Chains,
            SaveEvery = b.SaveEvery,
            SaveFields = b.SaveFields,
            Seed = spec.SeedFor(index, replica, algorithm),
            Device = o.Device,
            Threads = o.Threads,
            Resume = File.Exists(Path.Combine(dir, RunFiles.Checkpoint)),
            Metropolis = new MetropolisSettings(TargetAcceptance: spec.TargetAcceptance),
            Hmc = new HmcSettings(Steps: spec.HmcSteps, TargetAcceptance: spec.TargetAcceptance),
            Flow = new FlowMetropolisSettings(model ?? "", Symmetrize: spec.Flow.Symmetrize),
        };
        // A run that never wrote a checkpoint has nothing worth keeping (cleared under its lock, which stays).
        if (!settings.Resume && Directory.Exists(dir))
            using (var runLock = DirectoryLock.Acquire(dir)) runLock.DeleteContents();
        var r = SampleRun.Execute(settings, progress, cancel);
        if (r.ResumeNote is not null) log.WriteLine($"   {algorithm} r{replica}: {r.ResumeNote}");
        log.WriteLine($"   {algorithm} r{replica}: {(r.Completed ? "complete" : "interrupted")}, {r.Configurations} configurations, acceptance {r.MeanAcceptance:F3}, {r.SamplingSeconds:F1} s");
        return r.Completed;
    }
}
