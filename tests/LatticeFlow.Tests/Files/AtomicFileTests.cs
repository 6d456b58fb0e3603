using LatticeFlow.Files;

namespace LatticeFlow.Tests.Files;

public sealed class AtomicFileTests
{
    [Fact]
    public void ReplacesTheFileWholeAndLeavesNoTemporaryFile()
    {
        using var tmp = new TempDir();
        string path = tmp.Sub("a.json");
        AtomicFile.WriteAllText(path, "first\n");
        AtomicFile.WriteAllText(path, "second\n");
        Assert.Equal("second\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(tmp.Path));
    }

    /// <summary>The rename puts a new inode in place; it must not take away a script's executable bit.</summary>
    [Fact]
    public void AnExistingFileKeepsItsPermissions()
    {
        if (OperatingSystem.IsWindows()) return;
        using var tmp = new TempDir();
        string path = tmp.Sub("run.sh");
        AtomicFile.WriteAllText(path, "#!/bin/sh\n");
        var executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        File.SetUnixFileMode(path, executable);
        AtomicFile.WriteAllText(path, "#!/bin/sh\necho hi\n");
        Assert.Equal(executable, File.GetUnixFileMode(path));
    }
}
