using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices;

/// <summary>
/// The fast CPU path: kernel bodies called from plain C# loops, chunks of items spread over persistent worker threads
/// (<see cref="WorkerPool"/>). Buffers come from ILGPU's CPU accelerator (host memory); its simulated GPU
/// threads are never used here, being ~70× slower than this loop (DESIGN.md). Kernels written over
/// views (<see cref="IRebindableKernel"/>) run with raw host pointers, and where <see cref="Simd"/> allows and a kernel has
/// a host SIMD twin (<see cref="HostTwins"/>) the twin runs instead of the body (DESIGN.md principle 2).
/// </summary>
public sealed class ManagedDevice : ComputeDevice
{
    // Below this many sites a launch runs on the calling thread: waking threads costs more.
    private const long InlineSites = 8192;

    private readonly CPUAccelerator _memory;
    private readonly HostLoop _loop;
    private readonly TwinContext _twins;

    public int Threads { get; }

    /// <summary>The host SIMD twins this device runs (<see cref="SimdLevel.Off"/>: the kernel bodies only).</summary>
    public SimdLevel Simd { get; }

    /// <param name="simd">The twins to run; null: the widest this CPU runs (<see cref="HostSimd.Detected"/>). A level the CPU
    /// lacks is allowed here (tests force it): .NET then runs the vector code in software, correct but slow.</param>
    public ManagedDevice(Context context, int threads = 0, SimdLevel? simd = null)
    {
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
        Simd = simd ?? HostSimd.Detected;
        _memory = context.CreateCPUAccelerator(0);
        _loop = new HostLoop(Threads);
        _twins = new TwinContext(_loop, Simd);
    }

    public override string Description =>
        $"cpu (managed launcher, {Threads} thread{(Threads == 1 ? "" : "s")}, {Environment.ProcessorCount} cores, simd {HostSimd.Name(Simd)})";
    public override string SimdPath => HostSimd.Name(Simd);
    public override Accelerator Accelerator => _memory;
    public override bool HostMemory => true;
    public override int HostThreads => Threads;
    public override int ItemWidth(int sitesInRow) => sitesInRow;

    /// <summary>When set, every launch's wall time is added to it by kernel type (benchmarks).</summary>
    public KernelProfile? Profile { get; set; }

    public override void Launch<T>(int items, long sites, T kernel)
    {
        if (Profile is { } profile)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            Run(items, sites, kernel);
            profile.Add(kernel, items, System.Diagnostics.Stopwatch.GetTimestamp() - start);
        }
        else Run(items, sites, kernel);
    }

    private void Run<T>(int items, long sites, T kernel) where T : struct, IKernel
    {
        if (Simd != SimdLevel.Off && HostTwin<T>.Launch is { } twin && twin(kernel, _twins, items, sites)) return;
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

    public override void Dispose()
    {
        _loop.Dispose();
        _twins.Dispose();
        _memory.Dispose();
    }

    private sealed class HostLoop(int threads) : IHostLauncher, IDisposable
    {
        private readonly WorkerPool? _pool = threads > 1 ? new WorkerPool(threads) : null;

        void IHostLauncher.Launch<T>(int items, long sites, T kernel)
        {
            if (_pool is null || items < 2 * threads || sites < InlineSites)
            {
                for (int i = 0; i < items; i++) kernel.Execute(i);
                return;
            }
            // Eight chunks per thread: claimed dynamically, they even out a machine whose cores are shared.
            _pool.Run(items, Math.Min(items, threads * 8), kernel);
        }

        public void Dispose() => _pool?.Dispose();
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
