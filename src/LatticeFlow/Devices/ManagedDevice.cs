using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices;

/// <summary>
/// The fast CPU path: kernel bodies called from plain C# loops, chunks of items spread over threads
/// with Parallel.For. Buffers come from ILGPU's CPU accelerator (host memory); its simulated GPU
/// threads are never used here, being ~70× slower than this loop (DESIGN.md). Kernels written over
/// views (<see cref="IRebindableKernel"/>) run with raw host pointers.
/// </summary>
public sealed class ManagedDevice : ComputeDevice
{
    // Below this many sites a launch runs on the calling thread: waking threads costs more.
    private const long InlineSites = 8192;

    private readonly CPUAccelerator _memory;
    private readonly HostLoop _loop;

    public int Threads { get; }

    public ManagedDevice(Context context, int threads = 0)
    {
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
        _memory = context.CreateCPUAccelerator(0);
        _loop = new HostLoop(Threads);
    }

    public override string Description => $"cpu (managed launcher, {Threads} thread{(Threads == 1 ? "" : "s")}, {Environment.ProcessorCount} cores)";
    public override Accelerator Accelerator => _memory;
    public override bool HostMemory => true;
    public override int HostThreads => Threads;
    public override int ItemWidth(int sitesInRow) => sitesInRow;

    public override void Launch<T>(int items, long sites, T kernel)
    {
        if (Rebinder<T>.Launch is { } rebind) rebind(kernel, _loop, items, sites);
        else ((IHostLauncher)_loop).Launch(items, sites, kernel);
    }

    public override void Synchronize() { }

    // The buffers are host memory and launches finish before they return, so a copy is a memcpy. ILGPU's CopyToCPU
    // wraps the host side in a new buffer object on every call, registered under a lock its GC thread also
    // takes: a fifth of an HMC trajectory at L = 6, where the chain reads ΔH and the accept flags every trajectory.
    protected override unsafe void CopyToHostCore<T>(ArrayView<T> source, Span<T> destination) =>
        new ReadOnlySpan<T>((void*)source.LoadEffectiveAddressAsPtr(), checked((int)source.Length)).CopyTo(destination);

    protected override unsafe void CopyFromHostCore<T>(ReadOnlySpan<T> source, ArrayView<T> destination) =>
        source.CopyTo(new Span<T>((void*)destination.LoadEffectiveAddressAsPtr(), checked((int)destination.Length)));

    public override void Dispose() => _memory.Dispose();

    private sealed class HostLoop(int threads) : IHostLauncher
    {
        private readonly ParallelOptions _options = new() { MaxDegreeOfParallelism = threads };

        void IHostLauncher.Launch<T>(int items, long sites, T kernel)
        {
            if (threads == 1 || items < 2 * threads || sites < InlineSites)
            {
                for (int i = 0; i < items; i++) kernel.Execute(i);
                return;
            }
            int chunks = Math.Min(items, threads * 4);
            Parallel.For(0, chunks, _options, c =>
            {
                int lo = (int)((long)items * c / chunks), hi = (int)((long)items * (c + 1) / chunks);
                for (int i = lo; i < hi; i++) kernel.Execute(i);
            });
        }
    }

    /// <summary>
    /// For kernel types written over views, a delegate that calls their LaunchOnHost without boxing;
    /// null for kernels that hold ArrayViews directly (they run as they are).
    /// </summary>
    private static class Rebinder<T> where T : struct, IKernel
    {
        public static readonly Action<T, IHostLauncher, int, long>? Launch = typeof(IRebindableKernel).IsAssignableFrom(typeof(T))
            ? typeof(Rebinder<T>).GetMethod(nameof(Call), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(typeof(T)).CreateDelegate<Action<T, IHostLauncher, int, long>>()
            : null;

        private static void Call<TK>(TK kernel, IHostLauncher launcher, int items, long sites) where TK : struct, IRebindableKernel =>
            kernel.LaunchOnHost(launcher, items, sites);
    }
}
