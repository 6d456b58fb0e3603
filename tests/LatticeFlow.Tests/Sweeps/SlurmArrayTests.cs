using System.Diagnostics;
using System.Text.Json.Nodes;
using LatticeFlow.Analysis;
using LatticeFlow.Runs;
using LatticeFlow.Sweeps;
using LatticeFlow.Tests.Cli;

namespace LatticeFlow.Tests.Sweeps;

/// <summary>
/// The emitted job array: its #SBATCH lines for each option, and what the script does when bash runs it as a task would
/// (with a stand-in binary that records its arguments): which binary it picks, the command it runs, and how it fails.
/// The same scripts run on a real Slurm in `make test-slurm` (tools/slurm/test-slurm.sh).
/// </summary>
public class SlurmArrayTests
{
    private const string Tiny = """
        {"name": "tiny", "algorithms": ["hmc"], "configs": 200, "therm": 50, "seed": 7,
         "points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 6, "m2": -4, "lam": 8}, {"L": 4, "m2": -1, "lam": 1}]}
        """;

    private static SweepSpec Spec => SweepSpec.Parse(Tiny, "tiny.json");

    private static string[] Directives(string script) => [.. script.Split('\n').Where(l => l.StartsWith("#SBATCH "))];

    /// <summary>A stand-in for latticeflow that writes its arguments, one per line, to args.txt beside it.</summary>
    private static string FakeBinary(string dir, string name = "latticeflow")
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args.txt\"\necho 'sweep finished in 0.0 min'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Runs the script with bash as array task <paramref name="task"/> would run, with only the environment given.</summary>
    private static (int Code, string Out) RunTask(string script, int? task, string path = "/usr/bin:/bin", params (string Key, string Value)[] env)
    {
        var psi = new ProcessStartInfo("/bin/bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Clear();
        psi.Environment["PATH"] = path;
        if (task is int t) { psi.Environment["SLURM_ARRAY_TASK_ID"] = $"{t}"; psi.Environment["SLURM_ARRAY_JOB_ID"] = "41"; }
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];

    [Fact]
    public void DefaultsAskForOneGpuPerTaskAndRunOnCuda()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("array");
        string output = SlurmArray.Emit(Spec, dir);
        string abs = Path.GetFullPath(dir);
        string script = Path.Combine(dir, SlurmArray.Script);
        Assert.StartsWith("#!/bin/bash\n", File.ReadAllText(script));
        Assert.Equal([
            "#SBATCH --job-name=latticeflow-tiny", "#SBATCH --array=0-2", "#SBATCH --time=24:00:00", "#SBATCH --cpus-per-task=4",
            "#SBATCH --gres=gpu:1", $"#SBATCH --output={abs}/logs/task-%a-job-%A.out"], Directives(File.ReadAllText(script)));
        Assert.Equal(Path.Combine(dir, "runs"), output);
        Assert.True(Directory.Exists(Path.Combine(dir, "logs")));

        string fake = FakeBinary(tmp.Sub("bin"));
        var (code, log) = RunTask(script, 2, env: ("LATTICEFLOW", fake));
        Assert.Equal(0, code);
        Assert.Equal(["sweep", "--file", $"{abs}/sweep.json", "--out", $"{abs}/runs", "--point", "2", "--device", "cuda", "--quiet"],
            File.ReadAllLines(tmp.Sub("bin/args.txt")));
        Assert.Contains("latticeflow-task 2: point L4_m2-1_lam1, job 41_2 on ", log);
        Assert.Contains($"running {fake} (from LATTICEFLOW) on device cuda", log);
    }

    [Fact]
    public void CpuNodesGetEveryOptionNoGpuAndTheirCpusAsThreads()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("array");
        var options = new SlurmOptions
        {
            Partition = "short,long", Account = "lattice-2026", Time = "2-12:00", CpusPerTask = 3, Mem = "8G", GpusPerTask = 0,
            MaxParallel = 2, Setup = "export GREETING=\"hello from setup\"\necho \"$GREETING${UNSET_IS_FINE_HERE}\"",
        };
        SlurmArray.Emit(Spec, dir, options);
        string script = Path.Combine(dir, SlurmArray.Script);
        Assert.Equal([
            "#SBATCH --job-name=latticeflow-tiny", "#SBATCH --array=0-2%2", "#SBATCH --partition=short,long", "#SBATCH --account=lattice-2026",
            "#SBATCH --time=2-12:00", "#SBATCH --cpus-per-task=3", "#SBATCH --mem=8G",
            $"#SBATCH --output={Path.GetFullPath(dir)}/logs/task-%a-job-%A.out"], Directives(File.ReadAllText(script)));

        string fake = FakeBinary(tmp.Sub("bin"));
        var (code, log) = RunTask(script, 0, env: [("LATTICEFLOW", fake), ("SLURM_CPUS_PER_TASK", "3")]);
        Assert.Equal(0, code);
        Assert.Contains("\nhello from setup\n", log);
        Assert.Equal(["--point", "0", "--device", "cpu", "--threads", "3", "--simd", "auto", "--quiet"], File.ReadAllLines(tmp.Sub("bin/args.txt"))[^9..]);
        var manifest = SlurmArray.ReadManifest(dir);
        Assert.Equal(options, manifest.Slurm);
        Assert.Equal(Spec.SeedFor(1, 0, "hmc"), manifest.Tasks[1].Seeds["hmc"][0]);
        Assert.Equal("0-2%2", manifest.Array);
    }

    /// <summary>LATTICEFLOW first, then latticeflow on PATH, then the path recorded at emission; a missing one stops the task with 127.</summary>
    [Fact]
    public void TheTaskFindsItsBinaryOrFailsLoudly()
    {
        using var tmp = new TempDir();
        string onPath = FakeBinary(tmp.Sub("path")), recorded = FakeBinary(tmp.Sub("recorded"), "LatticeFlow.Cli");
        SlurmArray.Emit(Spec, tmp.Sub("array"), new SlurmOptions { Binary = recorded });
        string script = tmp.Sub($"array/{SlurmArray.Script}");

        var (code, log) = RunTask(script, 0, $"{tmp.Sub("path")}:/usr/bin:/bin");
        Assert.Equal(0, code);
        Assert.Contains($"running {onPath} (from PATH)", log);
        File.Delete(tmp.Sub("path/args.txt"));
        (code, log) = RunTask(script, 0);
        Assert.Equal(0, code);
        Assert.Contains($"running {recorded} (from the path recorded when this script was written)", log);
        Assert.True(File.Exists(tmp.Sub("recorded/args.txt")));

        (code, log) = RunTask(script, 1, $"{tmp.Sub("path")}:/usr/bin:/bin", ("LATTICEFLOW", tmp.Sub("nowhere/latticeflow")));
        Assert.Equal(SlurmArray.MissingBinary, code);
        Assert.StartsWith($"latticeflow-task 1: error: no latticeflow binary to run: {tmp.Sub("nowhere/latticeflow")} (from LATTICEFLOW)", LastLine(log));
        File.Delete(recorded);
        (code, log) = RunTask(script, 1);
        Assert.Equal(SlurmArray.MissingBinary, code);
        Assert.Contains("error: no latticeflow binary to run", LastLine(log));
        Assert.False(File.Exists(tmp.Sub("path/args.txt")), "no binary may run after a failed check");
    }

    [Fact]
    public void AFailingSetupASweepDirectoryOutOfSightOrNoArrayTaskStopsTheTask()
    {
        using var tmp = new TempDir();
        string fake = FakeBinary(tmp.Sub("bin"));
        SlurmArray.Emit(Spec, tmp.Sub("setup"), new SlurmOptions { Setup = "export A=1\ntest -d /no/such/modules\nexport B=2" });
        var (code, log) = RunTask(tmp.Sub($"setup/{SlurmArray.Script}"), 0, env: ("LATTICEFLOW", fake));
        Assert.Equal(1, code);
        Assert.Equal("latticeflow-task 0: error: the setup failed (exit status 1): test -d /no/such/modules", LastLine(log));

        SlurmArray.Emit(Spec, tmp.Sub("moved"));
        File.Delete(tmp.Sub("moved/sweep.json"));
        (code, log) = RunTask(tmp.Sub($"moved/{SlurmArray.Script}"), 0, env: ("LATTICEFLOW", fake));
        Assert.Equal(2, code);
        Assert.Contains("is not visible on", LastLine(log));

        (code, log) = RunTask(tmp.Sub($"setup/{SlurmArray.Script}"), null, env: ("LATTICEFLOW", fake));
        Assert.NotEqual(0, code);
        Assert.Contains("not an array task: submit this script with sbatch", log);
        Assert.False(File.Exists(tmp.Sub("bin/args.txt")));
    }

    [Theory]
    [InlineData("cpus_per_task", "-1")]
    [InlineData("cpus_per_task", "0")]
    [InlineData("gpus_per_task", "-1")]
    [InlineData("max_parallel", "0")]
    [InlineData("mem", "-5G")]
    [InlineData("mem", "lots")]
    [InlineData("time", "-1")]
    [InlineData("time", "0:00:00")]
    [InlineData("time", "one day")]
    [InlineData("partition", "gpu; rm -rf ~")]
    [InlineData("account", "a b")]
    [InlineData("setup", " ")]
    [InlineData("device", "tpu")]
    [InlineData("simd", "sse9")]
    public void UnusableSettingsAreNamedAndNothingIsWritten(string setting, string value)
    {
        var o = setting switch
        {
            "cpus_per_task" => new SlurmOptions { CpusPerTask = int.Parse(value) },
            "gpus_per_task" => new SlurmOptions { GpusPerTask = int.Parse(value) },
            "max_parallel" => new SlurmOptions { MaxParallel = int.Parse(value) },
            "mem" => new SlurmOptions { Mem = value },
            "time" => new SlurmOptions { Time = value },
            "partition" => new SlurmOptions { Partition = value },
            "account" => new SlurmOptions { Account = value },
            "setup" => new SlurmOptions { Setup = value },
            "simd" => new SlurmOptions { Simd = value },
            _ => new SlurmOptions { Device = value },
        };
        var problem = Assert.Single(o.Problems());
        Assert.Equal(setting, Assert.Single(problem.Settings).Setting);
        using var tmp = new TempDir();
        var e = Assert.Throws<InvalidInputException>(() => SlurmArray.Emit(Spec, tmp.Sub("array"), o));
        Assert.StartsWith($"slurm: {setting} = {value}: ", e.Message);
        Assert.False(Directory.Exists(tmp.Sub("array")));
    }

    [Fact]
    public void GpusAndDeviceMustAgree()
    {
        Assert.Empty(new SlurmOptions { GpusPerTask = 0 }.Problems());
        Assert.Equal("cpu", new SlurmOptions { GpusPerTask = 0 }.TaskDevice);
        Assert.Equal("cuda", new SlurmOptions { GpusPerTask = 2 }.TaskDevice);
        Assert.Equal("opencl", new SlurmOptions { Device = "opencl" }.TaskDevice);
        Assert.Equal("slurm: device = cpu with gpus_per_task = 1: the tasks would hold GPUs they never use; ask for 0 GPUs on CPU nodes",
            Assert.Throws<InvalidInputException>(() => new SlurmOptions { Device = "cpu" }.Validated()).Message);
        Assert.Equal(["device", "gpus_per_task"], Assert.Single(new SlurmOptions { Device = "cuda", GpusPerTask = 0 }.Problems()).Settings.Select(s => s.Setting));
        Assert.Empty(new SlurmOptions { Time = "90" }.Problems());
        Assert.Empty(new SlurmOptions { Time = "1-0" }.Problems());
        Assert.Empty(new SlurmOptions { Mem = "0" }.Problems());  // Slurm: all of the node's memory
    }

    [Fact]
    public void ADirectoryThatSbatchCannotNameIsRefused()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<InvalidInputException>(() => SlurmArray.Emit(Spec, tmp.Sub("my array")));
        Assert.Contains("must not contain spaces", e.Message);
        Assert.False(Directory.Exists(tmp.Sub("my array")));
        SlurmArray.Emit(Spec, tmp.Sub("array"));
        Assert.Contains("not empty", Assert.Throws<InvalidInputException>(() => SlurmArray.Emit(Spec, tmp.Sub("array"))).Message);
    }

    /// <summary>
    /// The tasks run one point each (as `sweep --point i` does) into the same sweep directory, and aggregate like a local
    /// sweep; tasks not finished are listed with the state of their runs and their newest log's last line.
    /// </summary>
    [Fact]
    public void TasksAggregateAndTheUnfinishedOnesSayWhy()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("array");
        var spec = Spec with { Algorithms = ["hmc", "metropolis"] };
        string output = SlurmArray.Emit(spec, dir);
        Assert.Equal(dir, SlurmArray.ArrayDirectory(output));
        Assert.Equal(Path.GetFullPath(dir), SlurmArray.ArrayDirectory(dir));
        Assert.Null(SlurmArray.ArrayDirectory(tmp.Path));
        Assert.Equal(3, SlurmArray.Unfinished(dir).Count);

        for (int task = 0; task < 2; task++)
            Assert.True(SweepRunner.Run(spec, new SweepOptions(output, "cpu", OnlyPoint: task), TextWriter.Null, () => ProgressReporter.Silent, default));
        var rows = SweepSummary.Aggregate(output);
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(200, r.Configurations));

        // Task 1: its metropolis run stopped half-way; two logs, the newer one ending with Slurm's cancellation. Task 2: no log.
        string run = SweepRunner.RunDirectory(output, spec.Points[1], "metropolis", 0);
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(run, RunFiles.Meta)))!;
        meta["status"] = "interrupted";
        meta["configs_written"] = 120;
        File.WriteAllText(Path.Combine(run, RunFiles.Meta), meta.ToJsonString());
        string older = Path.Combine(dir, "logs", "task-1-job-17.out"), newer = Path.Combine(dir, "logs", "task-1-job-9.out");
        File.WriteAllText(older, "latticeflow-task 1: point …\nlatticeflow: error: an older failure\n");
        File.WriteAllText(newer, "latticeflow-task 1: point …\n   hmc r0: complete\nslurmstepd: error: *** JOB 23 ON n7 CANCELLED AT 2026-11-29T10:00:00 ***\n" +
            "latticeflow: interrupted; finishing the current update\ninterrupted after 0.5 min; run the same command again to continue\n\n");
        File.SetLastWriteTimeUtc(older, DateTime.UtcNow.AddHours(-1));

        var left = SlurmArray.Unfinished(dir);
        Assert.Equal([1, 2], left.Select(t => t.Task));
        var t1 = left[0];
        Assert.Equal("L6_m2-4_lam8", t1.Point);
        var r = Assert.Single(t1.Runs);
        Assert.Equal("metropolis r0 interrupted at 120 of 200 configurations", $"{r.Algorithm} r{r.Replica} {r.State}");
        Assert.Equal(Path.Combine("logs", "task-1-job-9.out"), t1.Log);
        Assert.Equal("interrupted after 0.5 min; run the same command again to continue", t1.LastLine);
        Assert.Equal("slurmstepd: error: *** JOB 23 ON n7 CANCELLED AT 2026-11-29T10:00:00 ***", t1.SlurmNotice);
        Assert.Null(left[1].Log);
        Assert.Equal(["not started", "not started"], left[1].Runs.Select(x => x.State));
    }
}

/// <summary>The job-array options on the command line: one-line errors naming the flag, and nothing written.</summary>
[Collection(ConsoleCollection.Name)]
public class SlurmCliTests
{
    private const string Tiny = """{"name": "tiny", "algorithms": ["hmc"], "configs": 200, "therm": 50, "points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 6, "m2": -4, "lam": 8}]}""";

    [Theory]
    [InlineData("--cpus-per-task -2: must be at least 1", "--cpus-per-task", "-2")]
    [InlineData("--gpus-per-task -1: must be 0", "--gpus-per-task", "-1")]
    [InlineData("--max-parallel 0: must be at least 1", "--max-parallel", "0")]
    [InlineData("--mem -4G: a size", "--mem", "-4G")]
    [InlineData("--time -30: a positive time limit", "--time", "-30")]
    [InlineData("--setup /no/such/setup.sh: no such file", "--setup", "/no/such/setup.sh")]
    [InlineData("--setup modules.sh: no such file", "--setup", "modules.sh")]
    [InlineData("--device cuda with --gpus-per-task 0: a task without a GPU cannot run on one", "--gpus-per-task", "0", "--device", "cuda")]
    [InlineData("--device cpu with --gpus-per-task 1: the tasks would hold GPUs", "--device", "cpu")]
    [InlineData("--partition is only for --emit-slurm", "--partition", "gpu", "<no-emit>")]
    public void BadOptionsGiveOneLineAndWriteNothing(string expected, params string[] options)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.Sub("tiny.json"), Tiny);
        bool emit = !options.Contains("<no-emit>");
        string target = tmp.Sub(emit ? "array" : "sweep");
        string[] args = [
            "sweep", "--file", tmp.Sub("tiny.json"), emit ? "--emit-slurm" : "--out", target, .. options.Where(o => o != "<no-emit>")];
        var (code, _, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("latticeflow: error: ", line);
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(target), "nothing may be written");
    }

    [Fact]
    public void ASetupFileIsCopiedIntoTheScriptAndAggregateListsTheTasksLeft()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.Sub("tiny.json"), Tiny);
        File.WriteAllText(tmp.Sub("env.sh"), "module load cuda/12.4\nexport OMP_NUM_THREADS=1\n");
        string dir = tmp.Sub("array");
        var (code, stdout, err) = CliRunner.Run("sweep", "--file", tmp.Sub("tiny.json"), "--emit-slurm", dir, "--setup", tmp.Sub("env.sh"), "--gpus-per-task", "0", "--simd", "off");
        Assert.True(code == 0, err);
        Assert.Contains($"collect with: latticeflow sweep --aggregate --out {dir}", stdout);
        string script = File.ReadAllText(Path.Combine(dir, SlurmArray.Script));
        Assert.Contains("set +u\nmodule load cuda/12.4\nexport OMP_NUM_THREADS=1\nset -u\n", script);
        Assert.DoesNotContain("--gres", script);
        Assert.Contains("--device cpu --threads \"${SLURM_CPUS_PER_TASK:-4}\" --simd off", script);

        var spec = SweepSpec.Parse(Tiny, "tiny.json");
        Assert.True(SweepRunner.Run(spec, new SweepOptions(Path.Combine(dir, "runs"), "cpu", OnlyPoint: 0), TextWriter.Null, () => ProgressReporter.Silent, default));
        (code, stdout, err) = CliRunner.Run("sweep", "--aggregate", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("array tasks not finished: 1 of 2", stdout);
        Assert.Contains("  task 1 (L6_m2-4_lam8): hmc r0 not started\n    no log: not started (pending, or not submitted)", stdout.Replace("\r\n", "\n"));
        Assert.True(File.Exists(Path.Combine(dir, "runs", "summary.csv")));
    }
}
