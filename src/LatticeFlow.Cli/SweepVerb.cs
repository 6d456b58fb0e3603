using System.Globalization;
using CommandLine;
using LatticeFlow.Runs;
using LatticeFlow.Sweeps;

namespace LatticeFlow.Cli;

[Verb("sweep", HelpText = "Run a parameter sweep (flow MH, HMC, local Metropolis, cluster hybrid at each point) and summarise tau_int against L.")]
public sealed class SweepVerb : IVerb
{
    [Option("preset", MetaValue = "NAME", HelpText = "albergo2019 (L = 6..14 of Albergo et al. 2019) | extended (adds L = 20, 32, 64) | demo (L = 6, 8, 10, small budgets)."), Setting(SettingNames.Preset)]
    public string? Preset { get; set; }
    [Option("file", MetaValue = "FILE", HelpText = "A sweep file (JSON): points, algorithms, budgets, seeds, replicas (README).")] public string? File { get; set; }
    [Option("out", MetaValue = "DIR", HelpText = "Sweep directory (default runs/sweep-NAME)."), Setting(SettingNames.OutputDirectory)] public string? Out { get; set; }
    [Option("device", MetaValue = "NAME", HelpText = "auto | cpu | cuda | opencl."), Setting(SettingNames.Device)] public string? Device { get; set; }
    [Option("threads", HelpText = "CPU threads for --device cpu (0: all cores)."), Setting(SettingNames.Threads)] public int? Threads { get; set; }
    [Option("simd", MetaValue = "MODE", HelpText = "Host SIMD twins of the hot kernels on the CPU: auto (the widest this CPU runs) | off (the kernel bodies) | avx2 | avx512."), Setting(SettingNames.Simd)] public string? Simd { get; set; }
    [Option("allow-changed", HelpText = "Continue a sweep directory whose sweep settings differ from the ones given."), Setting(SettingNames.AllowChanged)] public bool AllowChanged { get; set; }
    [Option("point", MetaValue = "I", HelpText = "Run only point i (what a Slurm array task does); no summary is written."), Setting(SettingNames.OnlyPoint)] public int? Point { get; set; }
    [Option("emit-slurm", HelpText = "Write a manifest and a Slurm job-array script into this (new) directory instead of running.")] public string? EmitSlurm { get; set; }
    [Option("partition", HelpText = "--emit-slurm: the partition (or comma-separated partitions) to run in (default: the cluster's).")] public string? Partition { get; set; }
    [Option("time", HelpText = "--emit-slurm: time limit per task, e.g. 24:00:00, 90 (minutes) or 2-00:00:00 (default 24:00:00).")] public string? Time { get; set; }
    [Option("account", HelpText = "--emit-slurm: the account to charge (default: the cluster's).")] public string? Account { get; set; }
    [Option("cpus-per-task", HelpText = "--emit-slurm: CPUs per task (default 4); on CPU nodes the task uses them all.")] public int? CpusPerTask { get; set; }
    [Option("mem", HelpText = "--emit-slurm: memory per task's node, e.g. 16G (default: the cluster's).")] public string? Mem { get; set; }
    [Option("gpus-per-task", HelpText = "--emit-slurm: GPUs per task (default 1); 0 for CPU nodes: no GPU request, --device cpu.")] public int? GpusPerTask { get; set; }
    [Option("max-parallel", HelpText = "--emit-slurm: at most this many tasks at once (the array throttle %N).")] public int? MaxParallel { get; set; }
    [Option("setup", HelpText = "--emit-slurm: a shell line, or a file of lines, run before each task (module loads, environment).")] public string? Setup { get; set; }
    [Option("aggregate", HelpText = "Only collect the finished runs in --out into the summary and plots; for a job array, list the tasks not finished.")] public bool Aggregate { get; set; }
    [Option("quiet", HelpText = "No progress lines.")] public bool Quiet { get; set; }

    // SweepOptions holds the defaults.
    private static readonly SweepOptions Default = new("");

    public IReadOnlyDictionary<string, object?> Defaults =>
        new Dictionary<string, object?> { [SettingNames.Device] = Default.Device, [SettingNames.Threads] = Default.Threads, [SettingNames.Simd] = Default.Simd };

    public int Run()
    {
        if (Aggregate)
        {
            string dir = Out ?? throw new InvalidInputException("--aggregate needs --out (the sweep directory, or a job array's directory)");
            if (SlurmArray.ArrayDirectory(dir) is not string array) return Report(dir, SweepSummary.Aggregate(dir, Console.Out));
            string runs = Path.Combine(array, SlurmArray.ReadManifest(array).Output);
            Report(runs, SweepSummary.Aggregate(runs, Console.Out));
            return SweepSlurm.Unfinished(array);
        }
        if (EmitSlurm is null && SweepSlurm.Given(this) is string flag) throw new InvalidInputException($"{flag} is only for --emit-slurm");
        var spec = Spec();
        if (EmitSlurm is not null)
        {
            SlurmArray.Emit(spec, EmitSlurm, SweepSlurm.Options(this));
            Console.WriteLine($"wrote {Path.Combine(EmitSlurm, SlurmArray.Script)} ({spec.Points.Count} array tasks), {Path.Combine(EmitSlurm, SlurmArray.Manifest)} and {Path.Combine(EmitSlurm, SweepRunner.SpecFile)}");
            Console.WriteLine($"submit with: sbatch {Path.Combine(EmitSlurm, SlurmArray.Script)}; collect with: latticeflow sweep --aggregate --out {EmitSlurm}");
            return 0;
        }
        string outDir = Out ?? Path.Combine("runs", "sweep-" + spec.Name);
        var options = Default with { OutputDirectory = outDir, Device = Device ?? Default.Device, Threads = Threads ?? Default.Threads, Simd = Simd ?? Default.Simd, AllowChanged = AllowChanged, OnlyPoint = Point };
        var storage = SweepRunner.Storage(spec, options.Validated(spec));
        if (storage.IsLarge && !(storage.Needed > storage.Free)) // too large to fit: Run refuses it, saying so
            Console.Error.WriteLine($"latticeflow: warning: the sweep's runs will write about {StorageEstimate.Format(storage.Needed)} more" +
                (spec.SaveFields ? $" ({StorageEstimate.Format(storage.Fields)} of them fields.npy; \"fields\": false or a larger save_every in the sweep file write less)" : "") +
                (storage.Free is long free ? $"; {StorageEstimate.Format(free)} free in {storage.FileSystemPath}" : ""));
        using var cancel = new InterruptHandler();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool done = SweepRunner.Run(spec, options, Console.Out,
            () => Quiet ? ProgressReporter.Silent : ProgressReporter.ForStandardError(), cancel.Token);
        if (!done)
        {
            Console.WriteLine($"interrupted after {clock.Elapsed.TotalMinutes:F1} min; run the same command again to continue");
            return 130;
        }
        Console.WriteLine($"sweep finished in {clock.Elapsed.TotalMinutes:F1} min");
        if (Point is not null) return 0;
        return Report(outDir, SweepSummary.Aggregate(outDir, Console.Out));
    }

    private SweepSpec Spec()
    {
        if ((Preset is null) == (File is null)) throw new InvalidInputException("give either --preset NAME or --file SWEEP.json");
        if (Preset is not null) return SweepSpec.Preset(Preset);
        if (!System.IO.File.Exists(File)) throw new InvalidInputException($"--file {File}: no such file");
        return SweepSpec.Parse(System.IO.File.ReadAllText(File!), File!);
    }

    private static int Report(string dir, IReadOnlyList<SweepRow> rows)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine("tau_int in Wolff's convention (1/2 + sum rho; emcee's is twice this), Gamma method with S = 1.5");
        bool grid = SweepSummary.HasRepeatedSizes(rows);
        Console.WriteLine($"{"L",4} {(grid ? $"{"m2",8} {"lam",8} " : "")}{"algorithm",-11} {"accept",7} {"chi2",22} {"tau(chi2)",16} {"tau(|M|)",16} {"E",22} {"m_p L",16} {"s/indep.cfg",12} {"+training",12}");
        foreach (var r in rows.OrderBy(r => r.Point).ThenBy(r => r.Algorithm))
            Console.WriteLine(string.Create(c, $"{r.L,4} {(grid ? $"{r.M2,8:G4} {r.Lambda,8:G4} " : "")}{r.Algorithm,-11} {r.Acceptance,7:F3} {$"{r.Chi2.Value:G5} ± {r.Chi2.Error:G2}",22} {$"{r.Chi2.TauInt:F2} ± {r.Chi2.TauIntError:F2}",16} {$"{r.Primaries["absM"].TauInt:F2} ± {r.Primaries["absM"].TauIntError:F2}",16} {$"{r.IsingEnergy.Value:G5} ± {r.IsingEnergy.Error:G2}",22} {(r.PoleMassTimesL is Estimate m ? $"{m.Value:F2} ± {m.Error:F2}" : "-"),16} {r.SecondsPerIndependent,12:G3} {(r.TrainingSeconds is null ? "" : r.SecondsPerIndependentWithTraining.ToString("G3", c)),12}{r.Caveats}"));
        var fits = SweepSummary.Fits(rows);
        foreach (var (key, fit) in fits.Where(kv => kv.Key.EndsWith("/chi2") || kv.Key.EndsWith("/absM")))
            Console.WriteLine(string.Create(c, $"  z({key}): {fit.Describe()} over {fit.Points} sizes{(fit.Excluded > 0 ? $" ({fit.Excluded} left out: untrusted tau_int)" : "")}"));
        foreach (var (key, sizes) in SweepSummary.Unfitted(rows, fits, "chi2", "absM"))
            Console.WriteLine($"  z({key}): no fit (fewer than 2 of its {sizes} sizes have a trusted, determined tau_int)");
        if (grid) Console.WriteLine("  no fits of tau_int against L: some L has several points (other couplings), so tau_int(L) is not one curve");
        Console.WriteLine($"wrote {Path.Combine(dir, "summary.csv")}, {Path.Combine(dir, "summary.json")} and plots in {Path.Combine(dir, "plots")} (tau_vs_L_chi2.png, ...)");
        return 0;
    }
}
