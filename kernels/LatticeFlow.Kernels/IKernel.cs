using ILGPU;

namespace LatticeFlow.Kernels;

/// <summary>
/// A kernel body: one work item's share of a batched lattice operation. Implementations are readonly
/// structs holding views and plain values (see <see cref="IRebindableKernel"/> for how to write one), so that the same Execute runs on every backend
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
/// <remarks>
/// Writing one (docs/architecture.md, "Writing a kernel"): a <c>readonly partial struct</c> whose arguments are the
/// parameters of its primary constructor, used as they are in <c>Execute</c> (the compiler captures each one in a
/// readonly field; declare no fields of your own), generic over its views by type parameters constrained to
/// <c>IView&lt;X&gt;</c>:
/// <code>
/// public readonly partial struct FieldKernel&lt;TV&gt;(TV phi, TV pi, double epsilon, int width) : IRebindableKernel
///     where TV : struct, IView&lt;double&gt;
/// {
///     public void Execute(int index)
///     {
///         for (int i = index * width; i &lt; (index + 1) * width; i++) phi[i] += epsilon * pi[i];
///     }
/// }
/// </code>
/// The source generator (kernels/LatticeFlow.Kernels.Generators) writes <see cref="LaunchOnHost"/> from the primary
/// constructor, <c>new FieldKernel&lt;HostView&lt;double&gt;&gt;(phi.Host, pi.Host, epsilon, width)</c>: a view type
/// parameter becomes <c>HostView&lt;X&gt;</c>, a parameter of a view type gets <c>.Host</c>, the others (shapes, keys,
/// seams such as a coupling transform) pass as they are. It also writes one read-only property per parameter
/// (<c>phi</c> → <c>Phi</c>) for host SIMD twins and tests. A kernel it cannot write for is a compile error: not partial
/// (LFK001), no primary constructor (LFK002), a hand-written LaunchOnHost (LFK003), a parameter that holds a view inside
/// another type (LFK004), not a top-level readonly struct (LFK005); KernelPatternTests checks the kernels assembly.
/// </remarks>
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
