using LatticeFlow.Kernels;

namespace LatticeFlow.Devices;

/// <summary>
/// The managed launcher's threads: <c>threads − 1</c> persistent workers and the calling thread run the chunks of one
/// launch, then the caller returns; nothing is allocated per launch. It replaced a Parallel.For per launch, which cost
/// 1.66 KB and 1.5 µs each (a training step has ~270 launches).
/// <para>
/// A launch publishes its chunks under a ticket (generation &lt;&lt; 32 | next chunk); threads claim chunks by
/// compare-and-swap on the ticket, so a worker that wakes late finds the generation moved on and claims nothing, and the
/// caller waits only for chunks that were claimed, never for a worker the OS has not scheduled yet: on a loaded machine
/// the caller simply runs more chunks itself. Items write disjoint outputs and sum in a fixed order inside an item, so
/// results do not depend on which thread ran which chunk, nor on the thread count (DESIGN.md principle 3).
/// </para>
/// Idle workers spin for about <see cref="SpinIterations"/> rounds (training launches come every ~10–30 µs) and then
/// block; the caller wakes them only when some sleep.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    // SpinWait rounds before an idle worker blocks: SpinOnce without Sleep(1) escalates to yields, ~50–100 µs in all.
    private const int SpinIterations = 60;

    private readonly Thread[] _workers;
    private readonly object _gate = new();
    private long _ticket;
    private int _sleepers, _unfinished, _chunks, _items;
    private Job? _job;
    private Exception? _error;
    private volatile bool _disposed;

    public int Threads { get; }

    public WorkerPool(int threads)
    {
        Threads = Math.Max(1, threads);
        _workers = new Thread[Threads - 1];
        for (int w = 0; w < _workers.Length; w++)
        {
            _workers[w] = new Thread(WorkerLoop) { IsBackground = true, Name = $"latticeflow worker {w + 1}" };
            _workers[w].Start();
        }
    }

    /// <summary>Runs kernel.Execute(i) for i in [0, items) in <paramref name="chunks"/> contiguous chunks on all threads.</summary>
    public void Run<T>(int items, int chunks, T kernel) where T : struct, IKernel
    {
        var job = Job<T>.Cached ??= new Job<T>();
        job.Kernel = kernel;
        _job = job;
        _items = items;
        _chunks = chunks;
        Volatile.Write(ref _unfinished, chunks);
        long generation = (Volatile.Read(ref _ticket) >> 32) + 1;
        // Full fence: a worker that is about to sleep either sees the new ticket or is counted in _sleepers here.
        Interlocked.Exchange(ref _ticket, generation << 32);
        if (Volatile.Read(ref _sleepers) > 0) lock (_gate) Monitor.PulseAll(_gate);
        RunChunks(generation);
        var spin = new SpinWait();
        while (Volatile.Read(ref _unfinished) > 0) spin.SpinOnce(sleep1Threshold: -1);
        job.Kernel = default;
        _job = null;
        // Kernel bodies do not throw (DESIGN.md principle 2); a host twin that did would otherwise end a worker silently.
        if (Interlocked.Exchange(ref _error, null) is { } error) throw new InvalidOperationException("a kernel failed on a worker thread", error);
    }

    // Claims and runs chunks of launch `generation` until none is left or the launch has moved on.
    private void RunChunks(long generation)
    {
        while (true)
        {
            long t = Volatile.Read(ref _ticket);
            if (t >> 32 != generation) return;
            int c = (int)t;
            if (c >= _chunks) return;
            if (Interlocked.CompareExchange(ref _ticket, t + 1, t) != t) continue;
            // The claim succeeded, so this launch is not finished and its job and sizes are still the ones published.
            int items = _items, chunks = _chunks;
            try { _job!.Run((int)((long)items * c / chunks), (int)((long)items * (c + 1) / chunks)); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            finally { Interlocked.Decrement(ref _unfinished); }
        }
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (!_disposed)
        {
            var spin = new SpinWait();
            int rounds = 0;
            while (Volatile.Read(ref _ticket) >> 32 == seen && !_disposed)
            {
                if (rounds++ < SpinIterations) { spin.SpinOnce(sleep1Threshold: -1); continue; }
                lock (_gate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while (Volatile.Read(ref _ticket) >> 32 == seen && !_disposed) Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            if (_disposed) return;
            seen = Volatile.Read(ref _ticket) >> 32;
            RunChunks(seen);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (var w in _workers) w.Join();
    }

    private abstract class Job
    {
        public abstract void Run(int lo, int hi);
    }

    // One per kernel type and launching thread: the launching thread waits for its launch to end before it reuses it.
    private sealed class Job<T> : Job where T : struct, IKernel
    {
        [ThreadStatic] public static Job<T>? Cached;
        public T Kernel;

        public override void Run(int lo, int hi)
        {
            var k = Kernel;
            for (int i = lo; i < hi; i++) k.Execute(i);
        }
    }
}
