using System.Diagnostics;

namespace LatticeFlow.Devices;

/// <summary>
/// Wall time per kernel type on the managed launcher (<see cref="ManagedDevice.Profile"/>), twin or body, for `bench`'s
/// "where the time goes": a timestamp before and after each launch, ~50 ns, so it is left off outside benchmarks.
/// </summary>
public sealed class KernelProfile
{
    private readonly Dictionary<Type, (long Ticks, long Launches)> _byType = [];

    internal void Add(Type kernel, long ticks)
    {
        _byType.TryGetValue(kernel, out var e);
        _byType[kernel] = (e.Ticks + ticks, e.Launches + 1);
    }

    public void Clear() => _byType.Clear();

    /// <summary>Kernel name (generic arguments left out), seconds and launches, longest first.</summary>
    public IReadOnlyList<(string Kernel, double Seconds, long Launches)> Entries() =>
        [.. _byType.GroupBy(kv => Name(kv.Key))
            .Select(g => (g.Key, g.Sum(kv => kv.Value.Ticks) / (double)Stopwatch.Frequency, g.Sum(kv => kv.Value.Launches)))
            .OrderByDescending(e => e.Item2)];

    private static string Name(Type t) => t.IsGenericType ? t.Name[..t.Name.IndexOf('`')] : t.Name;
}
