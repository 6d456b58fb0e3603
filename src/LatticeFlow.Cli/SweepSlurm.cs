using LatticeFlow.Sweeps;

namespace LatticeFlow.Cli;

/// <summary>
/// The Slurm side of `sweep`: the job-array options to <see cref="SlurmOptions"/> (with the library's setting names
/// mapped back to the flags typed), and the list of unfinished tasks that `--aggregate` prints for a job array.
/// </summary>
public static class SweepSlurm
{
    private static readonly Dictionary<string, string> Flags = new()
    {
        ["partition"] = "--partition", ["time"] = "--time", ["account"] = "--account", ["cpus_per_task"] = "--cpus-per-task",
        ["mem"] = "--mem", ["gpus_per_task"] = "--gpus-per-task", ["max_parallel"] = "--max-parallel", ["setup"] = "--setup",
        ["device"] = "--device", ["simd"] = "--simd",
    };

    /// <summary>The first job-array option given, or null.</summary>
    public static string? Given(SweepVerb v) =>
        new (string Flag, object? Value)[]
        {
            ("--partition", v.Partition), ("--time", v.Time), ("--account", v.Account), ("--cpus-per-task", v.CpusPerTask), ("--mem", v.Mem),
            ("--gpus-per-task", v.GpusPerTask), ("--max-parallel", v.MaxParallel), ("--setup", v.Setup),
        }.FirstOrDefault(o => o.Value is not null).Flag;

    /// <exception cref="InvalidInputException">The first unusable option, named as typed.</exception>
    public static SlurmOptions Options(SweepVerb v)
    {
        var defaults = new SlurmOptions();
        var o = new SlurmOptions
        {
            Partition = v.Partition, Time = v.Time ?? defaults.Time, Account = v.Account, CpusPerTask = v.CpusPerTask ?? defaults.CpusPerTask,
            Mem = v.Mem, GpusPerTask = v.GpusPerTask ?? defaults.GpusPerTask, MaxParallel = v.MaxParallel, Setup = SetupText(v.Setup),
            Device = v.Device ?? defaults.Device, Simd = v.Simd ?? defaults.Simd, Binary = OwnBinary(),
        };
        if (o.Problems().FirstOrDefault() is SettingProblem p) throw new InvalidInputException(p.Describe(s => Flags.GetValueOrDefault(s, s)));
        return o;
    }

    /// <summary>
    /// --setup: an existing file's lines, or the value itself as a shell line. A value without spaces that looks like a
    /// path (has a / or ends in .sh, .bash or .env) but names no file is a mistyped file, not a command.
    /// </summary>
    private static string? SetupText(string? value)
    {
        if (value is null) return null;
        if (File.Exists(value)) return File.ReadAllText(value);
        if (Directory.Exists(value)) throw new InvalidInputException($"--setup {value}: is a directory; give a file of shell lines, or one line");
        if (!value.Any(char.IsWhiteSpace) && (value.Contains('/') || value.EndsWith(".sh") || value.EndsWith(".bash") || value.EndsWith(".env")))
            throw new InvalidInputException($"--setup {value}: no such file (a line of shell commands, e.g. \"module load cuda\", is taken as it is)");
        return value;
    }

    /// <summary>This program's own path (bin/latticeflow beside a published build), or null when run through dotnet or a test host.</summary>
    private static string? OwnBinary()
    {
        string? p = Environment.ProcessPath;
        if (p is null || !Path.GetFileName(p).StartsWith("LatticeFlow.Cli", StringComparison.Ordinal)) return null;
        string wrapper = Path.Combine(Path.GetDirectoryName(p)!, "latticeflow");
        return File.Exists(wrapper) ? wrapper : p;
    }

    /// <summary>Prints the job array's unfinished tasks (or that all finished); returns the exit status, 0.</summary>
    public static int Unfinished(string array)
    {
        var manifest = SlurmArray.ReadManifest(array);
        var left = SlurmArray.Unfinished(array);
        if (left.Count == 0)
        {
            Console.WriteLine($"all {manifest.Tasks.Count} array tasks finished");
            return 0;
        }
        Console.WriteLine($"array tasks not finished: {left.Count} of {manifest.Tasks.Count}; re-submit {Path.Combine(array, SlurmArray.Script)} to finish them (finished runs are skipped, interrupted ones resume)");
        foreach (var t in left)
        {
            Console.WriteLine($"  task {t.Task} ({t.Point}): {string.Join("; ", t.Runs.Select(r => $"{r.Algorithm} r{r.Replica} {r.State}"))}");
            Console.WriteLine(t.Log is null ? "    no log: not started (pending, or not submitted)" : $"    last line of {t.Log}: {t.LastLine}");
            if (t.SlurmNotice is not null && t.SlurmNotice != t.LastLine) Console.WriteLine($"    Slurm: {t.SlurmNotice}");
        }
        return 0;
    }
}
