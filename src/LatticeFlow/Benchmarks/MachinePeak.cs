using System.Diagnostics;
using System.Runtime.CompilerServices;
using LatticeFlow.Devices.Simd;

namespace LatticeFlow.Benchmarks;

/// <summary>
/// This machine's peak, measured where it can be in a fraction of a second, for `bench`'s fractions of peak (issue 16).
/// <para>Flops: cores × clock × float32 lanes of the widest SIMD level the CPU runs (<see cref="HostSimd.Detected"/>: 16 for
/// AVX-512, 8 for AVX2, 4 for SSE) × 2 FMA pipes × 2 flops per FMA; float64 has half the lanes. The clock is measured
/// on one core: a chain of dependent 64-bit integer multiplies, 3 cycles each on every x86 core of the last decade
/// (Agner Fog's instruction tables: IMUL r64, r64 latency 3), the fastest of 200 bursts of 2·10⁶, so clock = 3 × multiplies
/// per second.
/// DESIGN.md's machines measured 3.8–4.0 GHz this way with both cores busy (nominal 2.6 GHz). Two FMA pipes is Zen's
/// and recent Intel cores' count; Zen 4 runs AVX-512 as two 256-bit halves, where this overstates the AVX-512 peak 2×.</para>
/// <para>Bandwidth: a STREAM triad a[i] = b[i] + s·c[i] (McCalpin's STREAM, counting 24 B per element: two reads, one
/// write, no write-allocate) over three arrays of 2²⁴ doubles (384 MiB together, far beyond any cache), on all cores at
/// once, best of five passes.</para>
/// </summary>
public sealed record MachinePeak(int Cores, string Simd, int Float32Lanes, double ClockGhz, double Float32Gflops, double Float64Gflops,
    double TriadGBPerSecond, long TriadBytes)
{
    private const int FmaPipes = 2, MultiplyLatency = 3;

    public static MachinePeak Measure(int triadElements = 1 << 24)
    {
        int cores = Environment.ProcessorCount;
        var level = HostSimd.Detected;
        int lanes = level switch { SimdLevel.Avx512 => 16, SimdLevel.Avx2 => 8, _ => 4 };
        double clock = MeasureClock();
        double fp32 = cores * clock * lanes * FmaPipes * 2;
        var (gbs, bytes) = Triad(triadElements, cores);
        return new MachinePeak(cores, HostSimd.Name(level), lanes, clock, fp32, fp32 / 2, gbs, bytes);
    }

    /// <summary>Peak GFLOP/s for arithmetic in float32 or float64.</summary>
    public double Gflops(bool singlePrecision) => singlePrecision ? Float32Gflops : Float64Gflops;

    public string Describe() =>
        $"clock {ClockGhz:F2} GHz (measured: dependent 64-bit multiplies, 3 cycles each, on one core), {Cores} cores, " +
        $"{(Simd == "off" ? "sse" : Simd)}: {Float32Lanes} float32 lanes x {FmaPipes} FMA pipes x 2 flops\n" +
        $"peak {Float32Gflops:F0} GFLOP/s float32, {Float64Gflops:F0} GFLOP/s float64; memory {TriadGBPerSecond:F1} GB/s " +
        $"(STREAM triad a = b + s*c on {Cores} threads, {TriadBytes / 1048576.0:F0} MiB, best of 5)";

    private static double MeasureClock()
    {
        // Many bursts of ~0.5 ms and the fastest of them: on a shared machine most bursts lose the core for a while (a
        // scheduler slice is a few ms), the fastest ran uninterrupted.
        Chain(1000, 3); // JIT
        const long n = 250_000;
        long best = long.MaxValue;
        for (int burst = 0; burst < 200; burst++)
        {
            long start = Stopwatch.GetTimestamp();
            Chain(n, 0x9E3779B97F4A7C15UL);
            best = Math.Min(best, Stopwatch.GetTimestamp() - start);
        }
        return MultiplyLatency * 8.0 * n / (best / (double)Stopwatch.Frequency) / 1e9;
    }

    // 8·n dependent multiplies by a multiplier the JIT cannot fold (a parameter); the result is returned so it is kept.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong Chain(long n, ulong k)
    {
        ulong x = k | 1;
        for (long i = 0; i < n; i++)
        {
            x *= k; x *= k; x *= k; x *= k;
            x *= k; x *= k; x *= k; x *= k;
        }
        return x;
    }

    private static (double GBs, long Bytes) Triad(int n, int threads)
    {
        var a = GC.AllocateUninitializedArray<double>(n);
        var b = GC.AllocateUninitializedArray<double>(n);
        var c = GC.AllocateUninitializedArray<double>(n);
        int chunk = (n + threads - 1) / threads;
        // First touch on the threads that will run the triad.
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int lo = t * chunk, hi = Math.Min(n, lo + chunk);
            for (int i = lo; i < hi; i++) { a[i] = 0; b[i] = 1; c[i] = 2; }
        });
        double best = double.MaxValue;
        for (int pass = 0; pass < 5; pass++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int lo = t * chunk, hi = Math.Min(n, lo + chunk);
                TriadRange(a.AsSpan(lo, hi - lo), b.AsSpan(lo, hi - lo), c.AsSpan(lo, hi - lo), 3.0);
            });
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        long bytes = 24L * n;
        return (bytes / best / 1e9, bytes);
    }

    private static void TriadRange(Span<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, double s)
    {
        for (int i = 0; i < a.Length; i++) a[i] = b[i] + s * c[i];
    }
}
