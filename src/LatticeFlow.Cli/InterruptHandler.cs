using System.Runtime.InteropServices;

namespace LatticeFlow.Cli;

/// <summary>
/// Turns Ctrl-C and SIGTERM into a cancellation request, so a run finishes its current update, flushes
/// its files and writes its checkpoint instead of dying mid-write. A second Ctrl-C kills at once.
/// </summary>
public sealed class InterruptHandler : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _term;

    public InterruptHandler()
    {
        Console.CancelKeyPress += OnCancel;
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Request();
        });
    }

    public CancellationToken Token => _source.Token;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested) return;
        e.Cancel = true;
        Request();
    }

    private void Request()
    {
        Console.Error.WriteLine("\nlatticeflow: interrupted; finishing the current update and writing a checkpoint (Ctrl-C again to abort)");
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _term.Dispose();
        _source.Dispose();
    }
}
