using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;

namespace LatticeFlow.Tests.Devices;

/// <summary>Runs a twin's items in order on the calling thread: for asking a twin directly whether it takes a launch.</summary>
internal sealed class SerialLauncher : LatticeFlow.Kernels.IHostLauncher
{
    public void Launch<T>(int items, long sites, T kernel) where T : struct, LatticeFlow.Kernels.IKernel
    {
        for (int i = 0; i < items; i++) kernel.Execute(i);
    }
}

/// <summary>Float arrays to and from a device, reproducible uniform test values, and the comparisons of the twin tests.</summary>
internal static class DeviceArrays
{
    /// <summary>u = 2⁻²⁴, the unit roundoff of float32, in which the twins' bounds are stated.</summary>
    public const double U = 1.0 / (1 << 24);

    public static MemoryBuffer1D<float, Stride1D.Dense> Upload(ComputeDevice device, float[] values)
    {
        var buffer = device.Allocate<float>(values.Length);
        device.CopyFromHost<float>(values, buffer.View);
        return buffer;
    }

    public static float[] Download(ComputeDevice device, MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        var host = new float[buffer.Length];
        device.CopyToHost(buffer.View, host);
        return host;
    }

    /// <summary>n values uniform in (−range, range) from System.Random(seed).</summary>
    public static float[] Values(int n, int seed, double range = 1)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int j = 0; j < n; j++) a[j] = (float)(range * (2 * rng.NextDouble() - 1));
        return a;
    }

    /// <summary>Every lattice of <paramref name="shapes"/> (extents) with one and three chains, at 256-bit and 512-bit lanes.</summary>
    public static TheoryData<SimdLevel, int[], int> LatticeCases(int[][] shapes)
    {
        var data = new TheoryData<SimdLevel, int[], int>();
        foreach (var level in new[] { SimdLevel.Avx2, SimdLevel.Avx512 })
            foreach (var extents in shapes)
                foreach (int chains in new[] { 1, 3 })
                    data.Add(level, extents, chains);
        return data;
    }

    /// <summary>The two floats have the same bits.</summary>
    public static void BitIdentical(float body, float twin, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(body) == BitConverter.SingleToInt32Bits(twin), $"{what}: body {body:R}, twin {twin:R}");

    /// <summary>The two doubles have the same bits.</summary>
    public static void BitIdentical(double body, double twin, string what) =>
        Assert.True(BitConverter.DoubleToInt64Bits(body) == BitConverter.DoubleToInt64Bits(twin), $"{what}: body {body:R}, twin {twin:R}");

    /// <summary>|body − twin| ≤ bound.</summary>
    public static void Within(float body, float twin, double bound, string what) =>
        Assert.True(Math.Abs((double)body - twin) <= bound, $"{what}: body {body:R}, twin {twin:R}, |Δ| {Math.Abs((double)body - twin):E2} > bound {bound:E2}");
}
