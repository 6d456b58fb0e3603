using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices;

/// <summary>
/// Where kernels run: memory comes from an ILGPU accelerator (host memory for the CPU paths), and
/// <see cref="Launch{T}"/> runs an <see cref="IKernel"/> over its work items. The two launchers
/// (<see cref="ManagedDevice"/>, <see cref="IlgpuDevice"/>) run the same kernel bodies (DESIGN.md, principle 1).
/// </summary>
public abstract class ComputeDevice : IDisposable
{
    /// <summary>What the user asked for and what it resolved to, e.g. "cpu (managed, 2 threads)".</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Which host SIMD twins run in place of kernel bodies: "avx512", "avx2" or "off" on the managed launcher
    /// (<see cref="ManagedDevice.Simd"/>), "off" on a GPU (the bodies are the GPU code). Run records write it.
    /// </summary>
    public virtual string SimdPath => "off";

    /// <summary>The accelerator that owns the buffers.</summary>
    public abstract Accelerator Accelerator { get; }

    /// <summary>True when buffers live in host memory and can be read without a copy.</summary>
    public abstract bool HostMemory { get; }

    /// <summary>
    /// Sites of one row that one work item covers: the managed launcher gives a whole row to one
    /// call (fewer index computations), a GPU one site to one thread (coalesced loads).
    /// </summary>
    public abstract int ItemWidth(int sitesInRow);

    /// <summary>Threads for work done on the host between launches (cluster growth): the managed path's, else every core.</summary>
    public virtual int HostThreads => Environment.ProcessorCount;

    /// <summary>
    /// Every work item is a thread of its own (GPUs, ILGPU's accelerators): a long serial loop inside one item idles
    /// the device, so sums over a batch are split into many short ones (ConvShape.Slices, Adam's chunks).
    /// </summary>
    public bool ThreadPerItem => ItemWidth(2) == 1;

    /// <summary>
    /// Runs kernel.Execute(i) for i in [0, items); results are visible to later launches.
    /// <paramref name="sites"/> is the work it does, in lattice sites, so a CPU launcher can run small jobs on one thread.
    /// </summary>
    public abstract void Launch<T>(int items, long sites, T kernel) where T : struct, IKernel;

    /// <summary>Waits for all launched work.</summary>
    public virtual void Synchronize() => Accelerator.Synchronize();

    /// <summary>Copies device memory to the host after waiting for the work launched before; both sides have one length.</summary>
    public void CopyToHost<T>(ArrayView<T> source, Span<T> destination) where T : unmanaged
    {
        CheckLengths(source.Length, destination.Length);
        Synchronize();
        CopyToHostCore(source, destination);
    }

    /// <summary>Copies host memory to the device and waits for it, so later launches see it; both sides have one length.</summary>
    public void CopyFromHost<T>(ReadOnlySpan<T> source, ArrayView<T> destination) where T : unmanaged
    {
        CheckLengths(source.Length, destination.Length);
        CopyFromHostCore(source, destination);
        Synchronize();
    }

    protected virtual void CopyToHostCore<T>(ArrayView<T> source, Span<T> destination) where T : unmanaged => source.CopyToCPU(destination);

    protected virtual void CopyFromHostCore<T>(ReadOnlySpan<T> source, ArrayView<T> destination) where T : unmanaged => destination.CopyFromCPU(source);

    // ILGPU copies the destination's length and the managed path the source's: equal lengths keep the two the same.
    private static void CheckLengths(long source, long destination)
    {
        if (source != destination) throw new ArgumentException($"copy of {source} elements into {destination}");
    }

    public MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(long length) where T : unmanaged
    {
        var buffer = Accelerator.Allocate1D<T>(Math.Max(length, 1));
        buffer.MemSetToZero();
        return buffer;
    }


    public abstract void Dispose();
}
