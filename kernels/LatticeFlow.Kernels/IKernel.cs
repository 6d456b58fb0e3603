using ILGPU;

namespace LatticeFlow.Kernels;

/// <summary>
/// A kernel body: one work item's share of a batched lattice operation. Implementations are readonly
/// structs holding views and plain values, so that the same Execute runs on every backend
/// (DESIGN.md, principle 1): ILGPU compiles it through <see cref="KernelEntry.Run{T}"/>, and the
/// managed launcher calls it in a plain loop. Inside Execute: no allocation, no exceptions, no Span,
/// no System.Numerics vectors, no bool fields (kernel parameters must be blittable) (principle 2).
/// </summary>
public interface IKernel
{
    void Execute(int index);
}

/// <summary>
/// A kernel written over <see cref="IView{T}"/>: the managed launcher rebinds it to host pointers
/// (<see cref="IView{T}.Host"/>) and runs that twin, the same body with faster memory access.
/// </summary>
public interface IRebindableKernel : IKernel
{
    void LaunchOnHost(IHostLauncher launcher, int items, long sites);
}

/// <summary>The managed launcher, as seen by <see cref="IRebindableKernel.LaunchOnHost"/>.</summary>
public interface IHostLauncher
{
    void Launch<T>(int items, long sites, T kernel) where T : struct, IKernel;
}

/// <summary>The single ILGPU entry point for every <see cref="IKernel"/>.</summary>
public static class KernelEntry
{
    public static void Run<T>(Index1D index, T kernel) where T : struct, IKernel => kernel.Execute(index);
}
