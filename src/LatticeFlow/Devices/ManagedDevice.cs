using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices;

/// <summary>
/// The fast CPU path: kernel bodies called from plain C# loops, chunks of items spread over threads
/// with Parallel.For. Buffers come from ILGPU's CPU accelerator (host memory); its simulated GPU
/// threads are never used here, being ~70× slower than this loop (DESIGN.md).
/// </summary>
public sealed class ManagedDevice : ComputeDevice
{
    // Below this many sites a launch runs on the calling thread: waking threads costs more.
    private const long InlineSites = 8192;

    private readonly CPUAccelerator _memory;
    private readonly ParallelOptions _options;

    public int Threads { get; }

    public ManagedDevice(Context context, int threads = 0)
    {
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
        _memory = context.CreateCPUAccelerator(0);
        _options = new ParallelOptions { MaxDegreeOfParallelism = Threads };
    }

    public override string Description => $"cpu (managed launcher, {Threads} thread{(Threads == 1 ? "" : "s")}, {Environment.ProcessorCount} cores)";
    public override Accelerator Accelerator => _memory;
    public override bool HostMemory => true;
    public override int ItemWidth(int sitesInRow) => sitesInRow;

    public override void Launch<T>(int items, long sites, T kernel)
    {
        if (Threads == 1 || items < 2 * Threads || sites < InlineSites)
        {
            for (int i = 0; i < items; i++) kernel.Execute(i);
            return;
        }
        int chunks = Math.Min(items, Threads * 4);
        Parallel.For(0, chunks, _options, c =>
        {
            int lo = (int)((long)items * c / chunks), hi = (int)((long)items * (c + 1) / chunks);
            for (int i = lo; i < hi; i++) kernel.Execute(i);
        });
    }

    public override void Synchronize() { }

    public override void Dispose() => _memory.Dispose();
}
