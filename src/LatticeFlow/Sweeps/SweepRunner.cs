using LatticeFlow.Analysis;
using LatticeFlow.Devices;
using LatticeFlow.Files;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Sweeps;

/// <summary>Where and how a sweep runs.</summary>
public sealed record SweepOptions(string OutputDirectory, string Device = "auto", int Threads = 0, bool AllowChanged = false, int? OnlyPoint = null, string Simd = "auto")
{
    /// <summary>Checks the options against <paramref name="spec"/>, and that the device exists, without creating anything.</summary>
    /// <exception cref="InvalidSettingException">The first unusable option (output_directory, only_point, threads, device).</exception>
    public SweepOptions Validated(SweepSpec spec)
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new InvalidSettingException(SettingNames.OutputDirectory, "", "a sweep directory is required");
        if (OnlyPoint is int only && (only < 0 || only >= spec.Points.Count))
            throw new InvalidSettingException(SettingNames.OnlyPoint, only, $"the sweep has points 0..{spec.Points.Count - 1}");
        if (Threads < 0) throw new InvalidSettingException(SettingNames.Threads, Threads, "must be ≥ 0 (0: all cores)");
        DeviceFactory.Check(Device, Simd);
        return this;
    }
}

/// <summary>
/// Runs a sweep point by point: train the flow (to the target acceptance or the step budget), then sample
/// with each of the sweep's algorithms (flow MH, HMC, local Metropolis, the cluster hybrid), each replica a run directory
/// kept on disk as an ensemble.
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

    /// <summary>
    /// Runs every point (or only <see cref="SweepOptions.OnlyPoint"/>). Everything that can be refused is refused before
    /// anything is written: the whole sweep (<see cref="SweepSpec.Validated"/>), the options and the device, the output
    /// directory (a file, a directory that holds something else, or a sweep with other settings), and the disk space the
    /// runs still need (<see cref="Storage"/>). Then the locks are taken and the checks repeated under them.
    /// </summary>
    /// <returns>False if interrupted.</returns>
    /// <exception cref="InvalidInputException">A refusal, before anything is written; or a run that fails later (a diverged training).</exception>
    public static bool Run(SweepSpec spec, SweepOptions options, TextWriter log, Func<ProgressReporter> progress, CancellationToken cancel)
    {
        spec = spec.Validated();
        options = options.Validated(spec);
        CheckDirectory(spec, options);
        var storage = Storage(spec, options);
        if (storage.Free is long free && storage.Needed > free)
            throw new InvalidSettingException(SettingNames.OutputDirectory, options.OutputDirectory,
                $"the sweep's runs would write {StorageEstimate.Format(storage.Needed)} more" +
                (spec.SaveFields ? $" ({StorageEstimate.Format(storage.Fields)} of them fields)" : "") +
                $" and {storage.FileSystemPath} has {StorageEstimate.Format(free)} free; in the sweep file set " +
                (spec.SaveFields ? "\"fields\": false, a larger save_every or fewer configs" : "a larger save_every or fewer configs"));
        using var locks = DirectoryLock.AcquireAll(LockedDirectories(spec, options));
        // Again under the lock: a sibling array task may have written sweep.json since.
        CheckDirectory(spec, options, locked: true);
        WriteSpec(spec, options);
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
    /// What the sweep's runs (those of <see cref="SweepOptions.OnlyPoint"/> only, where set) will hold when complete, what
    /// their directories hold already, and the free space where they go.
    /// </summary>
    public static StorageEstimate Storage(SweepSpec spec, SweepOptions options)
    {
        var total = new StorageEstimate();
        for (int i = 0; i < spec.Points.Count; i++)
        {
            if (options.OnlyPoint is int o && o != i) continue;
            foreach (string algorithm in spec.Algorithms)
                for (int r = 0; r < spec.Replicas; r++)
                    total += spec.RunSettings(i, algorithm, r, RunDirectory(options.OutputDirectory, spec.Points[i], algorithm, r)).Storage();
        }
        return total;
    }

    /// <summary>
    /// Refuses an output that is a file, a directory that holds something other than a sweep, or a sweep with other
    /// settings; reads only, so a refusal leaves nothing behind. <paramref name="locked"/>: called under the sweep's locks,
    /// whose files (and empty point directories) are not content.
    /// </summary>
    private static void CheckDirectory(SweepSpec spec, SweepOptions o, bool locked = false)
    {
        string dir = o.OutputDirectory;
        string path = Path.Combine(dir, SpecFile);
        if (File.Exists(dir)) throw new InvalidSettingException(SettingNames.OutputDirectory, dir, "is a file");
        if (File.Exists(path))
        {
            if (SweepSpec.ReadStored(path)?.ToJson() != spec.ToJson() && !o.AllowChanged)
                throw new InvalidSettingException(SettingNames.OutputDirectory, dir,
                    $"holds a sweep with other settings ({SpecFile} differs); choose a new directory, or allow the change ({{{SettingNames.AllowChanged}}}) to continue it with these settings");
        }
        else if (!locked && DirectoryLock.HasContent(dir))
        {
            throw new InvalidSettingException(SettingNames.OutputDirectory, dir, "exists and is not a sweep directory");
        }
    }

    private static void WriteSpec(SweepSpec spec, SweepOptions o)
    {
        string path = Path.Combine(o.OutputDirectory, SpecFile);
        Directory.CreateDirectory(o.OutputDirectory);
        // Slurm array tasks share this directory: write only when the settings differ (a file from an older version that
        // says the same thing stays), and by renaming a complete file, so no task can read a half-written one.
        if (File.Exists(path) && SweepSpec.ReadStored(path)?.ToJson() == spec.ToJson()) return;
        Files.AtomicFile.WriteAllText(path, spec.ToJson());
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
        // A ladder starts each flow from the previous point's (trained before it, in this loop or an earlier array task).
        string? initFrom = spec.Flow.Ladder && index > 0 ? Path.Combine(TrainingDirectory(o.OutputDirectory, spec.Points[index - 1]), TrainRun.Model) : null;
        bool resume = File.Exists(Path.Combine(dir, TrainRun.Checkpoint));
        // Only a finished predecessor: an interrupted one (a Slurm task past its time limit, whose successor the %1
        // throttle starts anyway) has a model.lfm too, and starting from it would give another flow than a local sweep.
        if (initFrom is not null && !resume)
        {
            string previous = Path.Combine(Path.GetDirectoryName(initFrom)!, TrainRun.Summary);
            var prior = File.Exists(previous) ? TrainSummary.Read(previous) : null;
            if (prior is not { Completed: true })
                throw new InvalidInputException($"{dir}: a ladder point starts from the previous point's trained flow, whose training is {prior?.Status ?? "not started"} " +
                    $"({Path.GetDirectoryName(initFrom)}); run or resume that point first");
        }
        double allowance = spec.LadderAllowance(index, LadderSecondsUsed(spec, o, index));
        var settings = spec.TrainingSettings(index, dir, o.Device, o.Threads, resume ? null : initFrom, allowance) with
        {
            Simd = o.Simd,
            Resume = resume,
            Force = Directory.Exists(dir) && !File.Exists(Path.Combine(dir, TrainRun.Checkpoint)),
        };
        var r = TrainRun.Execute(settings, progress, cancel);
        string measured = r.Quality is { } q ? $"acceptance {q.Acceptance:F3} on {q.Proposals} fresh proposals" : $"running acceptance {r.RunningAcceptance:F3}";
        if (r.Best is { } b) measured += $" (best check {b.Acceptance:F3} at step {b.Step})";
        string limit = spec.Flow.LadderSeconds > 0
            ? $" of the {allowance:F1} s allowed by the ladder budget{(spec.Flow.MaxSeconds > 0 && allowance >= spec.Flow.MaxSeconds ? " and max_seconds" : "")}" : "";
        log.WriteLine($"   flow training: {r.Status} after {r.Steps} steps, {r.Seconds:F0} s{limit}, {measured}");
        if (r.Status == "diverged") throw new InvalidInputException($"{dir}: flow training diverged: {r.Message}");
        return r.Completed ? model : null;
    }

    /// <summary>The training seconds the points before <paramref name="index"/> recorded (a ladder has trained them all by then); empty without a ladder budget.</summary>
    private static double[] LadderSecondsUsed(SweepSpec spec, SweepOptions o, int index)
    {
        if (spec.Flow.LadderSeconds <= 0) return [];
        return [.. spec.Points.Take(index).Select(p =>
        {
            string summary = Path.Combine(TrainingDirectory(o.OutputDirectory, p), TrainRun.Summary);
            return File.Exists(summary) ? TrainSummary.Read(summary).Seconds
                : throw new InvalidInputException($"{summary}: a ladder budget shares out what the earlier points left, and this point has not trained yet; run it first");
        })];
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
        var settings = spec.RunSettings(index, algorithm, replica, dir, o.Device, o.Threads, model ?? "") with
        {
            Simd = o.Simd,
            Resume = File.Exists(Path.Combine(dir, RunFiles.Checkpoint)),
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
