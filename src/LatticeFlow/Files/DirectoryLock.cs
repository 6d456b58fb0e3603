using System.Diagnostics;
using System.Globalization;

namespace LatticeFlow.Files;

/// <summary>
/// One writer per directory. <see cref="Acquire"/> takes an exclusive advisory lock on DIR/.lock and holds it until
/// <see cref="Dispose"/>; a second writer of the same directory, in this process or any other, is refused with one line
/// that names the holder ("DIR is in use by process PID (COMMAND)"). Every writer of a run, training or sweep directory
/// takes it (DESIGN.md, principle 8).
/// <para>
/// The lock is the operating system's: a FileStream opened with FileShare.None takes flock(LOCK_EX | LOCK_NB) on Linux
/// and macOS (every other FileShare value takes LOCK_SH, which is why only FileShare.None is used here) and a share-none
/// open on Windows. The kernel drops it when the holding process ends in any way (exit, crash, SIGKILL), so a dead
/// writer never leaves it stuck; the lock file stays behind and is harmless. The holder's PID, host and command line are
/// in DIR/.lock.owner, written after acquiring: the lock file itself cannot be read by the refused process, since .NET
/// takes LOCK_SH on every file it opens.
/// </para>
/// <para>
/// .NET skips the lock where DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set and ignores a file system that does not support
/// flock (an NFS mount without a lock daemon, Lustre mounted with noflock). <see cref="Acquire"/> checks that the lock
/// holds (a second exclusive open must fail) and refuses to write where it does not, rather than run unprotected.
/// </para>
/// </summary>
public sealed class DirectoryLock : IDisposable
{
    public const string LockFile = ".lock", OwnerFile = ".lock.owner";

    private FileStream? _stream;

    /// <summary>The locked directory.</summary>
    public string Directory { get; }

    private DirectoryLock(string directory, FileStream stream)
    {
        Directory = directory;
        _stream = stream;
    }

    /// <summary>Locks <paramref name="dir"/> for writing, creating it if need be.</summary>
    /// <exception cref="InvalidInputException">Another process (or another writer in this one) holds the lock, or the file
    /// system does not enforce advisory locks.</exception>
    public static DirectoryLock Acquire(string dir)
    {
        System.IO.Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, LockFile);
        FileStream stream;
        try
        {
            stream = Open(path);
        }
        catch (IOException e) when (IsHeld(e))
        {
            throw new InvalidInputException($"{dir} is in use by {Holder(dir)}");
        }
        try
        {
            // Where locking is off or unsupported, .NET opens the file a second time without complaint.
            using var probe = Open(path);
            stream.Dispose();
            throw new InvalidInputException(
                $"{dir}: cannot lock it against a second writer: the file system ignores advisory locks (flock), or DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set; write to a local disk or unset it");
        }
        catch (IOException e) when (IsHeld(e)) { }
        var held = new DirectoryLock(dir, stream);
        AtomicFile.WriteAllText(Path.Combine(dir, OwnerFile), Describe(Environment.ProcessId, Environment.MachineName, CommandLine()));
        return held;
    }

    /// <summary>Locks every directory of <paramref name="dirs"/>, in order, or none: a refusal releases those already taken.</summary>
    /// <exception cref="InvalidInputException">One of them is in use (<see cref="Acquire"/>).</exception>
    public static IDisposable AcquireAll(IEnumerable<string> dirs)
    {
        var held = new List<DirectoryLock>();
        try
        {
            foreach (var d in dirs) held.Add(Acquire(d));
            return new Set(held);
        }
        catch
        {
            foreach (var l in held) l.Dispose();
            throw;
        }
    }

    private sealed class Set(List<DirectoryLock> locks) : IDisposable
    {
        public void Dispose()
        {
            for (int i = locks.Count - 1; i >= 0; i--) locks[i].Dispose();
        }
    }

    private static FileStream Open(string path) => new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    // EWOULDBLOCK from flock (11 on Linux, 35 on macOS); ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION on Windows.
    private static bool IsHeld(IOException e) => e is not (FileNotFoundException or DirectoryNotFoundException)
        && e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    /// <summary>Whether <paramref name="name"/> (a file name in a directory) belongs to the lock, not to the data.</summary>
    public static bool IsLockFile(string name) => name == LockFile || name.StartsWith(OwnerFile, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="dir"/> exists and holds anything besides the lock's own files.</summary>
    public static bool HasContent(string dir) =>
        System.IO.Directory.Exists(dir) && System.IO.Directory.EnumerateFileSystemEntries(dir).Any(e => !IsLockFile(Path.GetFileName(e)));

    /// <summary>Deletes everything in the locked directory but the lock's files (deleting the lock file would let a
    /// second writer lock a new one while this one still holds the old).</summary>
    public void DeleteContents()
    {
        ObjectDisposedException.ThrowIf(_stream is null, this);
        foreach (var d in System.IO.Directory.EnumerateDirectories(Directory)) System.IO.Directory.Delete(d, recursive: true);
        foreach (var f in System.IO.Directory.EnumerateFiles(Directory))
            if (!IsLockFile(Path.GetFileName(f))) File.Delete(f);
    }

    /// <summary>"process PID (COMMAND)", with the host where it is not this one, from the owner file.</summary>
    private static string Holder(string dir)
    {
        string[] lines;
        try { lines = File.ReadAllLines(Path.Combine(dir, OwnerFile)); }
        catch (IOException) { return "another process"; }
        string Field(string key) => lines.FirstOrDefault(l => l.StartsWith(key + " ", StringComparison.Ordinal))?[(key.Length + 1)..] ?? "";
        if (!int.TryParse(Field("pid"), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return "another process";
        string host = Field("host");
        bool here = host == Environment.MachineName;
        // An owner file left by a writer that died names a process that is gone: the holder is a new writer that has not
        // written its own yet.
        if (here && !IsRunning(pid)) return "another process";
        return $"process {pid}{(here ? "" : $" on {host}")} ({Field("command")})";
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static string Describe(int pid, string host, string command) =>
        $"pid {pid.ToString(CultureInfo.InvariantCulture)}\nhost {host}\ncommand {command}\n";

    /// <summary>The program's name and arguments, on one line and at most 300 characters.</summary>
    private static string CommandLine()
    {
        var args = Environment.GetCommandLineArgs();
        string text = string.Join(' ', args.Skip(1).Prepend(args.Length > 0 ? Path.GetFileNameWithoutExtension(args[0]) : "?"))
            .Replace('\n', ' ').Replace('\r', ' ');
        return text.Length <= 300 ? text : text[..297] + "...";
    }

    /// <summary>Releases the lock; the owner file goes first, so it never names a process that no longer holds the lock.</summary>
    public void Dispose()
    {
        if (_stream is null) return;
        try { File.Delete(Path.Combine(Directory, OwnerFile)); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        _stream.Dispose();
        _stream = null;
    }
}
