using LatticeFlow.Analysis;
using LatticeFlow.Runs;
using Xunit.Abstractions;

namespace LatticeFlow.Tests.Cli;

/// <summary>
/// kill -9 at random moments: the CLI is SIGKILLed (no handler runs, nothing is flushed) again and again, resumed each time,
/// and must end with the files of an uninterrupted run of the same seed, byte for byte.
/// </summary>
public class KillResumeTests(ITestOutputHelper output)
{
    private static readonly string[] Common = ["--device", "cpu", "--threads", "1", "--quiet", "--checkpoint-every", "0.1"];

    private static readonly string[] Run =
        ["sample", "--algo", "hmc", "--L", "4", "--m2", "-4", "--lam", "8", "--n", "20000", "--therm", "300", "--chains", "2", "--seed", "17", "--md-steps", "4"];

    /// <summary>Until the child's lock owner file names it (false if it ends first).</summary>
    private static bool WaitUntilLocked(CliProcess p, string dir)
    {
        string owner = Path.Combine(dir, LatticeFlow.Files.DirectoryLock.OwnerFile);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 120)
        {
            try
            {
                if (File.Exists(owner) && File.ReadAllText(owner).StartsWith($"pid {p.Id}\n")) return true;
            }
            catch (IOException) { }
            if (p.Process.HasExited) return false;
            Thread.Sleep(10);
        }
        return false;
    }

    [Fact]
    public void KilledAtRandomMomentsAndResumedEqualsTheUninterruptedRun()
    {
        using var tmp = new TempDir();
        string whole = tmp.Sub("whole");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, err) = CliProcess.Run([.. Run, .. Common, "--out", whole]);
        Assert.True(code == 0, err);
        // Kills come at moments scaled to how long a whole run takes on this machine now (shared machines vary by 10×).
        int span = Math.Max(400, (int)clock.ElapsedMilliseconds);

        // A run may outpace the kills (the span is measured once, on a shared machine whose speed drifts): then the
        // split run starts over in a fresh directory, up to three times.
        string split = "";
        List<string> history = [];
        int midRun = 0;
        for (int attempt = 0; attempt < 3 && midRun < 2; attempt++)
        {
            split = tmp.Sub($"split{attempt}");
            (midRun, history) = KillAndResume(split, span);
            output.WriteLine($"attempt {attempt}:\n{string.Join("\n", history)}");
        }
        // At least two kills must have landed while the chain was being written, or the test proved nothing.
        Assert.True(midRun >= 2, $"only {midRun} kills landed mid-run: {string.Join("; ", history)}");
        foreach (var f in new[] { RunFiles.Fields, RunFiles.Timeslices, RunFiles.Measurements })
            Assert.True(File.ReadAllBytes(RunFiles.Path(whole, f)).SequenceEqual(File.ReadAllBytes(RunFiles.Path(split, f))), $"{f} differs; {string.Join("; ", history)}");
        Assert.Equal("complete", RunMeta.Read(split).Status);
    }

    /// <summary>The interrupted run into <paramref name="split"/>: killed up to eight times and resumed until it ends.</summary>
    private static (int MidRun, List<string> History) KillAndResume(string split, int span)
    {
        var rng = new Random();
        var history = new List<string>();
        int kills = 0, midRun = 0;
        while (true)
        {
            bool resume = File.Exists(RunFiles.Path(split, RunFiles.Checkpoint));
            // Killed before its first checkpoint, a run has nothing to resume: it starts again (--force: its meta.json says it is a run).
            string[] args = resume ? ["sample", "--out", split, "--resume", .. Common] : [.. Run, .. Common, "--out", split, "--force"];
            long before = resume ? Checkpoint.Read(RunFiles.Path(split, RunFiles.Checkpoint)).ConfigurationsWritten : 0;
            using var p = CliProcess.Start(args);
            // The first kill comes at a random moment of the start-up; the others at a random moment after the process has
            // locked the directory, so that most of them land while it writes.
            int delay = kills == 0 ? rng.Next(50, 400) : rng.Next(span / 20, span / 3);
            if (kills < 8 && (kills == 0 || WaitUntilLocked(p, split)) && !p.Process.WaitForExit(delay))
            {
                p.Kill();
                kills++;
                long after = File.Exists(RunFiles.Path(split, RunFiles.Checkpoint)) ? Checkpoint.Read(RunFiles.Path(split, RunFiles.Checkpoint)).ConfigurationsWritten : 0;
                if (after > before) midRun++;
                history.Add($"{(resume ? "resume" : "start")} killed {delay} ms {(kills == 1 ? "after start" : "after locking")}, checkpoint at configuration {after}");
                continue;
            }
            Assert.True(p.Process.WaitForExit(300_000), "the final run did not finish");
            history.Add($"{(resume ? "resume" : "start")} ran to the end");
            Assert.True(p.Process.ExitCode == 0, $"{string.Join("; ", history)}: {p.Err}");
            break;
        }
        return (midRun, history);
    }
}
