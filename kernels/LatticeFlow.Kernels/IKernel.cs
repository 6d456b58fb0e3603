using ILGPU;

namespace LatticeFlow.Kernels;

/// <summary>
/// A kernel body: one work item's share of a batched lattice operation. Implementations are readonly
/// structs holding ArrayViews and plain values, so that the same Execute runs on every backend
/// (DESIGN.md, principle 1): ILGPU compiles it through <see cref="KernelEntry.Run{T}"/>, and the
/// managed launcher calls it in a plain loop. Inside Execute: no allocation, no exceptions, no Span,
/// no System.Numerics vectors (principle 2).
/// </summary>
public interface IKernel
{
    void Execute(int index);
}

/// <summary>The single ILGPU entry point for every <see cref="IKernel"/>.</summary>
public static class KernelEntry
{
    public static void Run<T>(Index1D index, T kernel) where T : struct, IKernel => kernel.Execute(index);
}
