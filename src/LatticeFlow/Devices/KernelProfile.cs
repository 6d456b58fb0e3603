using System.Diagnostics;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices;

/// <summary>
/// Arithmetic and memory traffic of one launch, as a benchmark counts them (LatticeFlow.Benchmarks.KernelCounts):
/// floating-point operations, bytes read and written, the work units they are spent on (site updates, output sites …),
/// and whether the arithmetic is float32 (else float64).
/// </summary>
public readonly record struct KernelWork(double Flops, double Bytes, double Units, bool SinglePrecision);

/// <summary>
/// Counts the work of a launch of <paramref name="items"/> work items from the kernel's parameters; null for a kernel it has
/// no count for.
/// </summary>
public interface IKernelWork
{
    KernelWork? Of<T>(in T kernel, int items) where T : struct, IKernel;
}

/// <summary>
/// One kernel's line of a <see cref="KernelProfile"/>: wall seconds, launches, and (where a <see cref="IKernelWork"/> counts
/// it, else <c>Work</c> is null) the flops and bytes of those launches together.
/// </summary>
public sealed record KernelTime(string Kernel, double Seconds, long Launches, KernelWork? Work);

/// <summary>
/// Wall time per kernel type on the managed launcher (<see cref="ManagedDevice.Profile"/>), twin or body, for `bench`'s
/// "where the time goes": a timestamp before and after each launch, ~50 ns, so it is left off outside benchmarks.
/// Given an <see cref="IKernelWork"/>, it also adds up each launch's flops and bytes (counted outside the timed span).
/// </summary>
public sealed class KernelProfile(IKernelWork? counts = null)
{
    private readonly Dictionary<Type, Entry> _byType = [];

    private sealed class Entry
    {
        public long Ticks, Launches;
        public double Flops, Bytes, Units;
        public bool Counted, Single;
    }

    internal void Add<T>(in T kernel, int items, long ticks) where T : struct, IKernel
    {
        if (!_byType.TryGetValue(typeof(T), out var e)) _byType[typeof(T)] = e = new Entry();
        e.Ticks += ticks;
        e.Launches++;
        if (counts?.Of(kernel, items) is KernelWork w)
        {
            e.Flops += w.Flops;
            e.Bytes += w.Bytes;
            e.Units += w.Units;
            e.Counted = true;
            e.Single = w.SinglePrecision;
        }
    }

    public void Clear() => _byType.Clear();

    /// <summary>Kernel name (generic arguments left out), seconds, launches and counted work, longest first.</summary>
    public IReadOnlyList<KernelTime> Entries() =>
        [.. _byType.GroupBy(kv => Name(kv.Key))
            .Select(g => new KernelTime(g.Key, g.Sum(kv => kv.Value.Ticks) / (double)Stopwatch.Frequency, g.Sum(kv => kv.Value.Launches),
                g.Any(kv => kv.Value.Counted)
                    ? new KernelWork(g.Sum(kv => kv.Value.Flops), g.Sum(kv => kv.Value.Bytes), g.Sum(kv => kv.Value.Units), g.First(kv => kv.Value.Counted).Value.Single)
                    : null))
            .OrderByDescending(e => e.Seconds)];

    private static string Name(Type t) => t.IsGenericType ? t.Name[..t.Name.IndexOf('`')] : t.Name;
}
