using System.Text;

namespace LatticeFlow.Files;

/// <summary>
/// Whole-file writes that a crash, a SIGKILL or a power cut cannot leave half done: the bytes go to a temporary file
/// beside the target (named after this process, so two writers never share one), are flushed to the disk (fsync), and
/// the temporary file is renamed over the target, which POSIX makes atomic: a reader sees the old file or the new one,
/// never a mixture. Every file the code writes whole (meta.json, checkpoints, model files, summaries) goes through here.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically and durably.</summary>
    /// <exception cref="IOException">The directory is not writable or the disk is full; the target is then unchanged.</exception>
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
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    /// <summary>UTF-8 text (no byte-order mark), written as <see cref="WriteAllBytes"/> does.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8.GetBytes(text));

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
