using System.Globalization;
using System.Text.RegularExpressions;

namespace LatticeFlow.Sweeps;

/// <summary>
/// What each task of an emitted Slurm job array asks of the cluster, and what it runs first. The defaults suit a GPU
/// cluster: one GPU (<c>--gres=gpu:1</c>) and 4 CPUs per task for 24 hours, sampling on CUDA; <c>GpusPerTask = 0</c> is
/// a CPU node: no GPU request, and the task samples on the fast CPU path with as many threads as it has CPUs.
/// Null <c>Partition</c>, <c>Account</c>, <c>Mem</c> and <c>MaxParallel</c> leave the cluster's defaults.
/// The formats are those of sbatch(1), Slurm 22.05: <c>Time</c> is minutes, minutes:seconds, hours:minutes:seconds,
/// days-hours, days-hours:minutes or days-hours:minutes:seconds; <c>Mem</c> is a size per node with an optional unit
/// K, M, G or T (megabytes without one; 0 asks for all of a node's memory). <c>MaxParallel</c> is the array throttle
/// (<c>--array=0-N%MaxParallel</c>): at most that many tasks run at once. <c>Setup</c> is shell text run before each
/// task (module loads, environment). <c>Binary</c> is the program a task runs when <c>LATTICEFLOW</c> is unset and
/// none is on PATH (the CLI records its own path there).
/// </summary>
public sealed record SlurmOptions
{
    public string? Partition { get; init; }
    public string Time { get; init; } = "24:00:00";
    public string? Account { get; init; }
    public int CpusPerTask { get; init; } = 4;
    public string? Mem { get; init; }
    public int GpusPerTask { get; init; } = 1;
    public int? MaxParallel { get; init; }
    public string? Setup { get; init; }
    /// <summary>auto (CUDA with GPUs, the CPU path without), cpu, cuda or opencl.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>
    /// The host SIMD path of CPU tasks (<see cref="LatticeFlow.Devices.Simd.HostSimd.Names"/>); checked by name only, since the
    /// compute nodes' CPUs are not the submitting host's: each task resolves "auto" to what its own CPU runs.
    /// </summary>
    public string Simd { get; init; } = "auto";
    public string? Binary { get; init; }

    /// <summary>The device each task samples on.</summary>
    public string TaskDevice => Device == "auto" ? (GpusPerTask > 0 ? "cuda" : "cpu") : Device;

    private static readonly string[] Devices = ["auto", "cpu", "cuda", "opencl"];
    private static readonly Regex Name = new(@"^[A-Za-z0-9_.\-]+$"), NameList = new(@"^[A-Za-z0-9_.\-]+(,[A-Za-z0-9_.\-]+)*$");
    private static readonly Regex TimeFormat = new(@"^(?:(\d+)-(\d+)(?::(\d+))?(?::(\d+))?|(\d+)(?::(\d+))?(?::(\d+))?)$");
    private static readonly Regex MemFormat = new(@"^\d+[KMGT]?$");

    /// <summary>Every setting that cannot be submitted, each with the value given and why; empty when all are fine.</summary>
    public IReadOnlyList<SettingProblem> Problems()
    {
        var p = new List<SettingProblem>();
        void Bad(string setting, object? value, string reason) => p.Add(new([(setting, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")], reason));
        if (Partition is not null && !NameList.IsMatch(Partition)) Bad("partition", Partition, "a partition name (or a comma-separated list) of letters, digits, _ . -");
        if (Account is not null && !Name.IsMatch(Account)) Bad("account", Account, "an account name of letters, digits, _ . -");
        if (!(TimeFormat.IsMatch(Time) && TimeFormat.Match(Time).Groups.Values.Skip(1).Any(g => g.Success && long.Parse(g.Value, CultureInfo.InvariantCulture) > 0)))
            Bad("time", Time, "a positive time limit: minutes, hours:minutes:seconds or days-hours[:minutes[:seconds]]");
        if (CpusPerTask < 1) Bad("cpus_per_task", CpusPerTask, "must be at least 1");
        if (Mem is not null && !MemFormat.IsMatch(Mem)) Bad("mem", Mem, "a size in megabytes, or with a unit K, M, G or T (e.g. 16G)");
        if (GpusPerTask < 0) Bad("gpus_per_task", GpusPerTask, "must be 0 (CPU nodes) or more");
        if (MaxParallel is int m && m < 1) Bad("max_parallel", m, "must be at least 1 (or left out for no limit)");
        if (Setup is not null && (string.IsNullOrWhiteSpace(Setup) || Setup.Contains('\0'))) Bad("setup", Setup.Replace("\0", "\\0"), "empty or not text");
        if (!LatticeFlow.Devices.Simd.HostSimd.Names.Contains(Simd)) Bad("simd", Simd, $"unknown SIMD level (choose {string.Join(", ", LatticeFlow.Devices.Simd.HostSimd.Names)})");
        if (!Devices.Contains(Device)) Bad("device", Device, $"a task runs on {string.Join(", ", Devices)}");
        else if (GpusPerTask > 0 && Device == "cpu")
            p.Add(new([("device", Device), ("gpus_per_task", GpusPerTask.ToString(CultureInfo.InvariantCulture))], "the tasks would hold GPUs they never use; ask for 0 GPUs on CPU nodes"));
        else if (GpusPerTask == 0 && Device is "cuda" or "opencl")
            p.Add(new([("device", Device), ("gpus_per_task", "0")], "a task without a GPU cannot run on one"));
        return p;
    }

    /// <exception cref="InvalidInputException">The first of <see cref="Problems"/>, naming the setting.</exception>
    public SlurmOptions Validated()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new InvalidInputException("slurm: " + problems[0].Describe(s => s + " ="));
        return this;
    }
}

/// <summary>A setting (or a combination of settings) that cannot be used, with the values given and the reason.</summary>
public sealed record SettingProblem(IReadOnlyList<(string Setting, string Value)> Settings, string Reason)
{
    /// <summary>"NAME VALUE[ with NAME VALUE]: reason", each setting called what <paramref name="name"/> says (a flag, for the CLI).</summary>
    public string Describe(Func<string, string> name) =>
        string.Join(" with ", Settings.Select(s => $"{name(s.Setting)} {s.Value}")) + ": " + Reason;
}
