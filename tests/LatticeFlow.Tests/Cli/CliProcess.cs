using System.Diagnostics;
using System.Text;

namespace LatticeFlow.Tests.Cli;

/// <summary>
/// The built command-line tool (LatticeFlow.Cli.dll beside the tests) run as a child process with the dotnet host that runs
/// the tests: for what only a separate process shows (SIGKILL, locks held by another process).
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly StringBuilder _out = new(), _err = new();

    public Process Process { get; }

    private CliProcess(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LatticeFlow.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process = new Process { StartInfo = psi };
        Process.OutputDataReceived += (_, e) => { lock (_out) _out.AppendLine(e.Data); };
        Process.ErrorDataReceived += (_, e) => { lock (_err) _err.AppendLine(e.Data); };
        Process.Start();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public static CliProcess Start(params string[] args) => new(args);

    /// <summary>Runs to the end (at most <paramref name="timeoutSeconds"/>) and returns the exit code and what it printed.</summary>
    public static (int Code, string Out, string Err) Run(string[] args, int timeoutSeconds = 300)
    {
        using var p = Start(args);
        if (!p.Process.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill();
            throw new TimeoutException($"latticeflow {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return (p.Process.ExitCode, p.Out, p.Err);
    }

    public int Id => Process.Id;

    public string Out
    {
        get
        {
            Process.WaitForExit(); // the redirected streams are complete only after this overload returns
            lock (_out) return _out.ToString();
        }
    }

    public string Err
    {
        get
        {
            Process.WaitForExit();
            lock (_err) return _err.ToString();
        }
    }

    /// <summary>SIGKILL (kill -9) on Unix: no handler runs, nothing is flushed.</summary>
    public void Kill()
    {
        try { Process.Kill(); } catch (InvalidOperationException) { }
        Process.WaitForExit();
    }

    public void Dispose()
    {
        if (!Process.HasExited) Kill();
        Process.Dispose();
    }
}
