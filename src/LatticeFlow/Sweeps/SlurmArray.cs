using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace LatticeFlow.Sweeps;

/// <summary>
/// Scale-out on a Slurm cluster: a directory with the sweep file, a manifest and a job-array script with one parameter
/// point per array task. Each task runs <c>sweep --point i</c> (train the flow, then sample) with the seeds a local sweep
/// would use (base seed + 1000·point + …), so the array's ensembles are byte-identical to a local sweep's; a task writes
/// its log to logs/task-I-job-J.out. Re-submitting the script finishes what is left (finished runs are skipped,
/// interrupted ones resume from their checkpoints); <see cref="Unfinished"/> says which tasks are not done and why.
/// Layout: DIR/sweep.json, DIR/manifest.json, DIR/sweep.sbatch, DIR/logs/, DIR/runs/ (the sweep directory).
/// Tested against Slurm 22.05 (Debian 12) on a one-node cluster: tools/slurm/test-slurm.sh.
/// </summary>
public static class SlurmArray
{
    public const string Script = "sweep.sbatch", Manifest = "manifest.json", Output = "runs", Logs = "logs";

    /// <summary>What a task prints before it starts the sweep, and where its missing-binary error begins.</summary>
    public const string LogPrefix = "latticeflow-task";

    /// <summary>Exit status of a task that finds no binary to run (the shell's "command not found").</summary>
    public const int MissingBinary = 127;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the array directory <paramref name="dir"/> (which must be new or empty) for <paramref name="spec"/>.</summary>
    /// <returns>The sweep directory the array tasks write to (DIR/runs).</returns>
    /// <exception cref="InvalidInputException">Unusable settings or directory; nothing is written then.</exception>
    public static string Emit(SweepSpec spec, string dir, SlurmOptions? options = null)
    {
        spec = spec.Validated();
        options = (options ?? new SlurmOptions()).Validated();
        if (File.Exists(dir) || (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()))
            throw new InvalidInputException($"{dir}: exists and is not empty; choose a new directory for the job array");
        string abs = Path.GetFullPath(dir);
        // sbatch reads #SBATCH lines without a shell: a path there must not need quoting, and % starts a filename pattern.
        if (abs.Any(c => char.IsWhiteSpace(c) || c is '%' or '"' or '\'' or '\\' or '$' or '`'))
            throw new InvalidInputException($"{abs}: a job array's directory must not contain spaces, quotes, %, $, ` or \\ (sbatch cannot take it in #SBATCH lines); choose another");
        string output = Path.Combine(dir, Output);
        Directory.CreateDirectory(output);
        Directory.CreateDirectory(Path.Combine(dir, Logs));
        File.WriteAllText(Path.Combine(dir, SweepRunner.SpecFile), spec.ToJson());
        File.WriteAllText(Path.Combine(output, SweepRunner.SpecFile), spec.ToJson());
        var tasks = spec.Points.Select((p, i) => new SlurmTask(i, p.Name, p.L, p.Couplings.M2, p.Couplings.Lambda, [.. spec.Algorithms],
            spec.Algorithms.ToDictionary(a => a, a => Enumerable.Range(0, spec.Replicas).Select(r => spec.SeedFor(i, r, a)).ToArray()),
            [.. spec.Algorithms.SelectMany(a => Enumerable.Range(0, spec.Replicas).Select(r => Path.GetRelativePath(dir, SweepRunner.RunDirectory(output, p, a, r))))])).ToList();
        var manifest = new SlurmManifest(spec.Name, CodeVersion.Current, DateTime.UtcNow.ToString("O"), Output, ArraySpec(spec, options), options, tasks);
        File.WriteAllText(Path.Combine(dir, Manifest), JsonSerializer.Serialize(manifest, Json) + "\n");
        File.WriteAllText(Path.Combine(dir, Script), ScriptText(spec, options, abs));
        return output;
    }

    /// <summary>
    /// The array range and its throttle. A ladder (flow.ladder) trains each point from the one before it, so its tasks run
    /// one at a time, in order (%1: Slurm starts array tasks in index order).
    /// </summary>
    private static string ArraySpec(SweepSpec spec, SlurmOptions o) =>
        $"0-{spec.Points.Count - 1}" + (spec.Flow.Ladder && spec.Algorithms.Contains("flow") ? "%1" : o.MaxParallel is int m ? $"%{m}" : "");

    /// <summary>A word for bash: single-quoted, with each ' written as '\''.</summary>
    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    private static string ScriptText(SweepSpec spec, SlurmOptions o, string abs)
    {
        var c = CultureInfo.InvariantCulture;
        string device = o.TaskDevice;
        string resources = (o.GpusPerTask > 0 ? $"{o.GpusPerTask} GPU(s) and " : "no GPU, ") + $"{o.CpusPerTask} CPU(s) per task, device {device}";
        var s = new StringBuilder();
        s.Append($$"""
            #!/bin/bash
            # LatticeFlow sweep "{{spec.Name}}": {{spec.Points.Count}} parameter points, one per array task; {{resources}}.
            # Each task {{(spec.Algorithms.Contains("flow") ? "trains the flow of its point, then " : "")}}samples with {{string.Join(", ", spec.Algorithms)}} ({{spec.Replicas}} replica(s));
            # seeds follow the local sweep's rule (base seed {{spec.Seed}} + 1000 * task + 10 * replica + algorithm), see manifest.json.
            # Submit:    sbatch {{abs}}/{{Script}}   (export LATTICEFLOW=/path/to/latticeflow first if it is not on the nodes' PATH)
            # Re-submit the same script to finish what is left: finished runs are skipped, interrupted ones resume.
            # Logs:      {{abs}}/{{Logs}}/task-TASK-job-JOB.out
            # Collect:   latticeflow sweep --aggregate --out {{abs}}   (also lists the tasks not finished, with their logs' last lines)
            #SBATCH --job-name=latticeflow-{{spec.Name}}
            #SBATCH --array={{ArraySpec(spec, o)}}

            """);
        if (o.Partition is not null) s.Append($"#SBATCH --partition={o.Partition}\n");
        if (o.Account is not null) s.Append($"#SBATCH --account={o.Account}\n");
        s.Append($"#SBATCH --time={o.Time}\n");
        s.Append(c, $"#SBATCH --cpus-per-task={o.CpusPerTask}\n");
        if (o.Mem is not null) s.Append($"#SBATCH --mem={o.Mem}\n");
        if (o.GpusPerTask > 0) s.Append(c, $"#SBATCH --gres=gpu:{o.GpusPerTask}\n");
        s.Append($"#SBATCH --output={abs}/{Logs}/task-%a-job-%A.out\n");
        s.Append($$"""
            set -euo pipefail
            sweep_dir={{Quote(abs)}}
            points=({{string.Join(" ", spec.Points.Select(p => Quote(p.Name)))}})
            say() { printf '{{LogPrefix}} %s: %s\n' "${SLURM_ARRAY_TASK_ID:-?}" "$*"; }
            task="${SLURM_ARRAY_TASK_ID:?not an array task: submit this script with sbatch}"
            say "point ${points[$task]}, job ${SLURM_ARRAY_JOB_ID:-?}_$task on $(hostname), $(date -u +%Y-%m-%dT%H:%M:%SZ)"

            """);
        if (o.Setup is not null)
            s.Append("# Setup, run before each task (module loads, environment); unset variables are allowed here.\n")
             .Append("trap 'say \"error: the setup failed (exit status $?): $BASH_COMMAND\"' ERR\nset +u\n")
             .Append(o.Setup.Replace("\r\n", "\n").TrimEnd('\n')).Append("\nset -u\ntrap - ERR\n");
        s.Append($$"""
            if [[ ! -f "$sweep_dir/{{SweepRunner.SpecFile}}" ]]; then
                say "error: $sweep_dir/{{SweepRunner.SpecFile}} is not visible on $(hostname): the array directory must be on a file system the compute nodes share"
                exit 2
            fi
            if [[ -n "${LATTICEFLOW:-}" ]]; then
                bin="$LATTICEFLOW"; from="LATTICEFLOW"
            elif command -v latticeflow >/dev/null 2>&1; then
                bin="$(command -v latticeflow)"; from="PATH"
            else
                bin={{Quote(o.Binary ?? "")}}; from="the path recorded when this script was written"
            fi
            if [[ -z "$bin" || -d "$bin" || ! -x "$bin" ]]; then
                say "error: no latticeflow binary to run: ${bin:-none} (from $from) is not an executable file; export LATTICEFLOW=/path/to/latticeflow before sbatch, or put it on PATH (e.g. in the setup)"
                exit {{MissingBinary}}
            fi
            say "running $bin (from $from) on device {{device}}"
            exec "$bin" sweep --file "$sweep_dir/{{SweepRunner.SpecFile}}" --out "$sweep_dir/{{Output}}" --point "$task" --device {{device}}{{(device == "cpu" ? $" --threads \"${{SLURM_CPUS_PER_TASK:-{o.CpusPerTask}}}\" --simd {o.Simd}" : "")}} --quiet

            """);
        return s.ToString().Replace("\r\n", "\n");
    }

    /// <summary>
    /// The job-array directory that <paramref name="directory"/> names: itself if it holds a manifest, or its parent if
    /// <paramref name="directory"/> is the array's runs/ folder; null for a plain sweep directory.
    /// </summary>
    public static string? ArrayDirectory(string directory)
    {
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        if (File.Exists(Path.Combine(full, Manifest))) return full;
        string? parent = Path.GetDirectoryName(full);
        return parent is not null && Path.GetFileName(full) == Output && File.Exists(Path.Combine(parent, Manifest)) ? parent : null;
    }

    /// <summary>Reads an array directory's manifest.</summary>
    /// <exception cref="InvalidInputException">Missing or not a manifest of this format.</exception>
    public static SlurmManifest ReadManifest(string arrayDirectory)
    {
        string path = Path.Combine(arrayDirectory, Manifest);
        try { return JsonSerializer.Deserialize<SlurmManifest>(File.ReadAllText(path), Json) ?? throw new JsonException("null"); }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            throw new InvalidInputException($"{path}: not a LatticeFlow job-array manifest ({e.Message})");
        }
    }

    /// <summary>
    /// The tasks of the array in <paramref name="arrayDirectory"/> whose runs are not all complete, in task order, each
    /// with its runs left (<see cref="SweepSummary.Unfinished"/>) and the last line of its newest log (by modification
    /// time): the task's own error, latticeflow's, or Slurm's, with Slurm's *** notice (cancelled, time limit, out of
    /// memory) where the log has one. No log: the task has not started (pending, or never submitted).
    /// </summary>
    public static IReadOnlyList<UnfinishedTask> Unfinished(string arrayDirectory)
    {
        var manifest = ReadManifest(arrayDirectory);
        var runs = SweepSummary.Unfinished(Path.Combine(arrayDirectory, manifest.Output));
        var logs = Directory.Exists(Path.Combine(arrayDirectory, Logs))
            ? new DirectoryInfo(Path.Combine(arrayDirectory, Logs)).GetFiles("task-*-job-*.out")
                .Select(f => (File: f, Match: LogName.Match(f.Name))).Where(x => x.Match.Success)
                .GroupBy(x => int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture))
                .ToDictionary(g => g.Key, g => g.OrderBy(x => x.File.LastWriteTimeUtc).ThenBy(x => long.Parse(x.Match.Groups[2].Value, CultureInfo.InvariantCulture)).Last().File)
            : [];
        return [.. runs.GroupBy(r => r.Point).Select(g =>
        {
            var log = logs.GetValueOrDefault(g.Key);
            var (last, slurm) = log is null ? (null, null) : Tail(log.FullName);
            return new UnfinishedTask(g.Key, manifest.Tasks[g.Key].Point, [.. g], log is null ? null : Path.GetRelativePath(arrayDirectory, log.FullName), last, slurm);
        })];
    }

    private static readonly Regex LogName = new(@"^task-(\d+)-job-(\d+)\.out$");

    /// <summary>Slurm's own word in a job's output: "slurmstepd: error: *** JOB 7 ON node CANCELLED AT ... ***" (or DUE TO TIME LIMIT, …).</summary>
    private static readonly Regex SlurmNotice = new(@"\*\*\* .* \*\*\*");

    /// <summary>
    /// The last non-empty line of a log and the last of Slurm's *** notices in it (null if none), from at most its last
    /// 16 KiB, each at most 300 characters.
    /// </summary>
    private static (string Last, string? Slurm) Tail(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        f.Seek(Math.Max(0, f.Length - 16384), SeekOrigin.Begin);
        var lines = new StreamReader(f, Encoding.UTF8).ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        static string Cut(string line) => line.Length > 300 ? line[..297] + "..." : line;
        string? slurm = lines.LastOrDefault(l => SlurmNotice.IsMatch(l));
        return (lines.Count > 0 ? Cut(lines[^1]) : "(empty)", slurm is null ? null : Cut(slurm));
    }
}

/// <summary>One array task: its point, couplings, algorithms, the seeds of each algorithm's replicas, and its run directories.</summary>
public sealed record SlurmTask(int Task, string Point, [property: JsonPropertyName("L")] int L, double M2, double Lam,
    IReadOnlyList<string> Algorithms, IReadOnlyDictionary<string, ulong[]> Seeds, IReadOnlyList<string> RunDirectories);

/// <summary>manifest.json of a job-array directory: what was emitted, with which settings, and every task.</summary>
public sealed record SlurmManifest(string Sweep, string CodeVersion, string Created, string Output, string Array, SlurmOptions Slurm,
    IReadOnlyList<SlurmTask> Tasks);

/// <summary>
/// A task of a job array that has not finished: its runs left, its newest log (null: none), that log's last line, and
/// Slurm's notice in it (cancelled, time limit, …) where there is one.
/// </summary>
public sealed record UnfinishedTask(int Task, string Point, IReadOnlyList<UnfinishedRun> Runs, string? Log, string? LastLine, string? SlurmNotice = null);
