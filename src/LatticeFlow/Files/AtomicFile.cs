using System.Runtime.InteropServices;
using System.Text;

namespace LatticeFlow.Files;

/// <summary>
/// Whole-file writes that a crash, a SIGKILL or a power cut cannot leave half done: the bytes go to a temporary file
/// beside the target (named after this process, so two writers never share one), are flushed to the disk (fsync), and
/// the temporary file is renamed over the target, which POSIX makes atomic: a reader sees the old file or the new one,
/// never a mixture. On Linux the directory is then flushed too (fsync of the directory), because the rename changes
/// only the directory: until the directory's own blocks reach the disk, a power cut can bring back the old name (or, for
/// a new file, no file at all) even though the new file's bytes were synced. A target that exists keeps its permission
/// bits (an executable script stays executable); a new one gets the usual 0666 less the umask.
/// </summary>
/// <remarks>
/// Every file the code writes whole goes through here: checkpoints and model files (<see cref="BinaryContainer{THeader}"/>),
/// meta.json and the other JSON records (<see cref="JsonFiles"/>), train.json, training histories and check logs, sweep
/// specs, summaries, the Slurm manifest and script, analysis outputs and figures.
/// Two kinds of file are appended to instead, because rewriting them whole at every row would cost time quadratic in the
/// run's length: a run's measurements.csv and proposals.csv (<see cref="CsvLog"/>) and its fields.npy and timeslices.npy
/// (<see cref="NpyWriter"/>). That is safe because they are flushed to the disk before every checkpoint is written (so
/// a checkpoint never counts rows that are not on the disk), and a resumed run first checks what each file holds whole
/// and cuts it back to the checkpoint's count of configurations (Runs/RunDataFiles.cs: Plan, then Reopen, which
/// truncates with SetLength), so rows written after the last checkpoint, or a row cut short by the crash, are removed
/// before anything is appended; where a file holds fewer whole rows than the checkpoint, all files are cut to the
/// shortest and the chain is replayed to that point.
/// </remarks>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically and durably.</summary>
    /// <exception cref="IOException">The directory is not writable, the disk is full, or it could not be flushed; the
    /// target is then unchanged, except when only the directory's flush failed (the new file is in place, but a power
    /// cut may still undo the rename).</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        string tmp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows() && File.Exists(path)) File.SetUnixFileMode(tmp, File.GetUnixFileMode(path));
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
        if (OperatingSystem.IsLinux()) SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>UTF-8 text (no byte-order mark), written as <see cref="WriteAllBytes"/> does.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8.GetBytes(text));

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>fsync(2) of a directory. .NET opens no directory as a file, hence libc.</summary>
    private static void SyncDirectory(string dir)
    {
        int fd = Open(dir, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"{dir}: cannot open the directory to flush it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            // EINVAL: a file system that cannot sync directories (some network and FUSE ones); there is nothing more to do.
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() != EInval)
                throw new IOException($"{dir}: flushing the directory to the disk failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Close(fd);
        }
    }

    private const int EInval = 22;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
