using System.Diagnostics;
using LatticeFlow.Devices;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Benchmarks;

/// <summary>One line of a benchmark table.</summary>
public sealed record BenchmarkFigure(string Name, string Device, int L, int Chains, double Value, string Unit, double Seconds);

/// <summary>
/// Throughput of the baseline samplers (issue 2's figures): Metropolis site updates per second and HMC
/// nanoseconds per site per leapfrog step, on a batch of chains, timed after a warm-up.
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

            using (var metropolis = new LocalMetropolis(device, geometry, chains, couplings, new MetropolisSettings(0.5, 1, 0), 1))
            {
                var (updates, seconds) = Time(step => metropolis.Update(fields, step), device, secondsPerCase);
                var figure = new BenchmarkFigure("metropolis site updates per second", device.Description, l, chains,
                    updates * (double)fields.Sites / seconds, "updates/s", seconds);
                log?.WriteLine(Format(figure));
                yield return figure;
            }
            // A fixed 10 steps per trajectory: the figure is per leapfrog step.
            using (var hmc = new Hmc(device, geometry, chains, couplings, new HmcSettings(0.5, 10, IntegratorKind.Leapfrog, 0) { TrajectoryJitter = 0 }, 1))
            {
                var (updates, seconds) = Time(step => hmc.Update(fields, step), device, secondsPerCase);
                var figure = new BenchmarkFigure("hmc time per site per leapfrog step (whole trajectory / 10 steps)", device.Description, l, chains,
                    seconds * 1e9 / (updates * 10.0 * fields.Sites), "ns", seconds);
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
