using System.Diagnostics;
using LatticeFlow.Devices;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Benchmarks;

/// <summary>One line of a benchmark table.</summary>
public sealed record BenchmarkFigure(string Name, string Device, int L, int Chains, double Value, string Unit, double Seconds);

/// <summary>
/// Throughput of every registered sampler that has a benchmark case (<see cref="SamplerKind.Benchmark"/>): Metropolis site
/// updates per second, HMC nanoseconds per site per leapfrog step (issue 2's figures), the cluster hybrid's nanoseconds
/// per site per update, on a batch of chains, timed after a warm-up.
/// </summary>
public static class EngineBenchmark
{
    public static IEnumerable<BenchmarkFigure> Run(string deviceName, int[] sizes, double secondsPerCase, TextWriter? log = null, string simd = "auto")
    {
        using var device = DeviceFactory.Create(deviceName, simd: simd);
        foreach (int l in sizes)
        {
            int chains = ChainsFor(device, l);
            var geometry = LatticeGeometry.Square(l);
            using var fields = new FieldBatch(device, geometry, chains);
            fields.Randomize(1, 0.5);
            var couplings = Phi4Couplings.Tutorial;

            // Every registered sampler that bench can time on its own (flow MH needs a trained model: FlowSamplerBenchmark).
            foreach (var kind in Samplers.All)
            {
                if (kind.Benchmark is not SamplerBenchmark bench) continue;
                using var sampler = kind.Create(new SamplerContext(device, geometry, chains, couplings, 1, 0), bench.Settings);
                var (updates, seconds) = Time(step => sampler.Update(fields, step), device, secondsPerCase);
                var figure = new BenchmarkFigure(bench.Figure, device.Description, l, chains,
                    bench.FromSecondsPerSiteUpdate(seconds / (updates * (double)fields.Sites)), bench.Unit, seconds);
                log?.WriteLine(Format(figure));
                yield return figure;
            }
        }
    }

    /// <summary>
    /// A batch that fills the cores: on the CPU, a 256² lattice per thread's worth of sites (the chains of one thread
    /// then stay in its caches between launches); on a GPU, 2²⁴ sites, enough threads to hide memory latency.
    /// </summary>
    public static int ChainsFor(ComputeDevice device, int l) => device is ManagedDevice m
        ? Math.Max(m.Threads, 65536 * m.Threads / (l * l))
        : Math.Max(1, (1 << 24) / (l * l));

    private static (long Updates, double Seconds) Time(Action<long> update, ComputeDevice device, double seconds)
    {
        long step = 0;
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < Math.Min(0.5, seconds / 4)) update(step++);
        device.Synchronize();
        var clock = Stopwatch.StartNew();
        long n = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            update(step++);
            n++;
        }
        device.Synchronize();
        return (n, clock.Elapsed.TotalSeconds);
    }

    public static string Format(BenchmarkFigure f) =>
        $"{f.Name,-66} L={f.L,-4} B={f.Chains,-5} {f.Value,12:G4} {f.Unit,-10} [{f.Device}]";
}
