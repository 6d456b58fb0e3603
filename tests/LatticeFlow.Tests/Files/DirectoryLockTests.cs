using LatticeFlow.Files;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Files;

public class DirectoryLockTests
{
    [Fact]
    public void ASecondWriterIsRefusedWithOneLineNamingTheHolder()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        var first = DirectoryLock.Acquire(dir);
        var e = Assert.Throws<InvalidInputException>(() => DirectoryLock.Acquire(dir));
        Assert.StartsWith($"{dir} is in use by process {Environment.ProcessId} (", e.Message);
        Assert.EndsWith(")", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        first.Dispose();
        Assert.False(File.Exists(Path.Combine(dir, DirectoryLock.OwnerFile)), "a released lock names no owner");
        using var again = DirectoryLock.Acquire(dir);
    }

    [Fact]
    public void LockFilesAreNotContentAndSurviveClearing()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        using var held = DirectoryLock.Acquire(dir);
        Assert.False(DirectoryLock.HasContent(dir));
        File.WriteAllText(Path.Combine(dir, "meta.json"), "{}");
        Directory.CreateDirectory(Path.Combine(dir, "plots"));
        Assert.True(DirectoryLock.HasContent(dir));
        held.DeleteContents();
        Assert.False(DirectoryLock.HasContent(dir));
        Assert.True(File.Exists(Path.Combine(dir, DirectoryLock.LockFile)));
        // Still held: deleting the lock file would have let a second writer lock a fresh one.
        Assert.Throws<InvalidInputException>(() => DirectoryLock.Acquire(dir));
    }

    [Fact]
    public void AllOrNone()
    {
        using var tmp = new TempDir();
        using var b = DirectoryLock.Acquire(tmp.Sub("b"));
        Assert.Throws<InvalidInputException>(() => DirectoryLock.AcquireAll([tmp.Sub("a"), tmp.Sub("b"), tmp.Sub("c")]));
        using var a = DirectoryLock.Acquire(tmp.Sub("a")); // released by the refusal
        Assert.False(Directory.Exists(tmp.Sub("c")), "nothing after the refused one is touched");
    }

    [Fact]
    public void SampleAndTrainRunsRefuseALockedDirectoryAndLeaveItAlone()
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub("run");
        using var held = DirectoryLock.Acquire(dir);
        var sample = new SampleSettings
        {
            Algorithm = "metropolis", Geometry = LatticeGeometry.Square(4), Action = Phi4Couplings.Tutorial, OutputDirectory = dir,
            Configurations = 10, Thermalization = 0, Device = "cpu",
        };
        Assert.Contains("is in use by process", Assert.Throws<InvalidInputException>(() => SampleRun.Execute(sample, ProgressReporter.Silent, default)).Message);
        var train = new TrainSettings
        {
            Architecture = new FlowArchitecture { Lx = 4, Ly = 4, Layers = 2, Hidden = [4] }, Action = Phi4Couplings.Tutorial,
            OutputDirectory = dir, Steps = 5, Device = "cpu", EvaluationProposals = 0,
        };
        Assert.Contains("is in use by process", Assert.Throws<InvalidInputException>(() => TrainRun.Execute(train, ProgressReporter.Silent, default)).Message);
        Assert.False(DirectoryLock.HasContent(dir), "the refused writers wrote nothing");
    }
}
