using System.Diagnostics;
using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Cli;

/// <summary>Two processes writing one run directory: the second is refused, and a SIGKILLed holder leaves no stuck lock.</summary>
[Collection(ConsoleCollection.Name)]
public class RunLockTests
{
    private static readonly string[] Long =
        ["sample", "--algo", "metropolis", "--L", "4", "--m2", "-4", "--lam", "8", "--n", "50000000", "--therm", "10", "--device", "cpu", "--threads", "1",
         "--quiet", "--checkpoint-every", "0.2"];

    /// <summary>Waits until the child has taken the directory's lock (its owner file names it) and written a checkpoint.</summary>
    private static void WaitUntilWriting(CliProcess child, string dir)
    {
        var clock = Stopwatch.StartNew();
        string owner = Path.Combine(dir, DirectoryLock.OwnerFile);
        while (!(File.Exists(owner) && File.ReadAllText(owner).StartsWith($"pid {child.Id}\n") && File.Exists(RunFiles.Path(dir, RunFiles.Checkpoint))))
        {
            if (child.Process.HasExited) Assert.Fail($"the writer ended early: {child.Err}");
            Assert.True(clock.Elapsed.TotalSeconds < 120, "the writer did not start within 120 s");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void ASecondWriterIsRefusedAndAKilledWritersLockIsNotStuck()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("cc");
        using var first = CliProcess.Start([.. Long, "--out", dir]);
        WaitUntilWriting(first, dir);

        // The case: `sample --out cc --resume` while the first still writes; and --force, which would delete its files.
        foreach (var args in new[] { new[] { "sample", "--out", dir, "--resume", "--device", "cpu", "--quiet" }, [.. Long, "--out", dir, "--force"] })
        {
            var (code, _, err) = CliRunner.Run(args);
            Assert.Equal(2, code);
            string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("latticeflow: error:"));
            Assert.StartsWith($"latticeflow: error: {dir} is in use by process {first.Id} (LatticeFlow.Cli sample --algo metropolis", line);
        }
        Assert.False(first.Process.HasExited, "the first writer was disturbed");

        first.Kill();
        // Not stuck: the kernel dropped the dead writer's lock. The run resumes (to a few configurations past its checkpoint).
        long written = Checkpoint.Read(RunFiles.Path(dir, RunFiles.Checkpoint)).ConfigurationsWritten;
        var (resumed, output, error) = CliRunner.Run("sample", "--out", dir, "--resume", "--n", (written + 300).ToString(), "--device", "cpu", "--quiet");
        Assert.True(resumed == 0, error);
        Assert.Contains($"configurations {written + 300}/{written + 300}", output);
        var meta = RunMeta.Read(dir);
        Assert.Equal("complete", meta.Status);
        Assert.Equal(written + 300, NpyReader.ReadHeader(RunFiles.Path(dir, RunFiles.Fields)).Shape[0]);
        Assert.Equal(1 + written + 300, File.ReadAllLines(RunFiles.Path(dir, RunFiles.Measurements)).Length);
    }
}
