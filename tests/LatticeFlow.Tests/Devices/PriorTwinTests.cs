using Floats = LatticeFlow.Kernels.DeviceView<float>;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// The prior-sample twin (<see cref="PriorTwins"/>) against its body, bit for bit, at 256-bit and 512-bit lanes (the
/// latter in .NET's software fallback where the CPU lacks AVX-512), on one and two threads: items that are whole samples,
/// items shorter than a sample, items spanning several samples whose vectors would cross a sample's end, and widths that
/// are not a multiple of the lanes or are shorter than them.
/// </summary>
public sealed class PriorTwinTests
{
    [Theory]
    [InlineData(SimdLevel.Avx2, 64, 64, 5)]
    [InlineData(SimdLevel.Avx2, 36, 36, 3)]
    [InlineData(SimdLevel.Avx2, 45, 15, 6)]
    [InlineData(SimdLevel.Avx2, 10, 30, 2)]
    [InlineData(SimdLevel.Avx2, 7, 21, 3)]
    [InlineData(SimdLevel.Avx2, 100, 3, 7)]
    [InlineData(SimdLevel.Avx512, 64, 64, 5)]
    [InlineData(SimdLevel.Avx512, 45, 15, 6)]
    [InlineData(SimdLevel.Avx512, 10, 30, 2)]
    [InlineData(SimdLevel.Avx512, 36, 12, 9)]
    public void PriorTwinIsBitIdenticalToTheBody(SimdLevel level, int volume, int width, int items)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            var body = Sample(SimdLevel.Off, volume, width, items, threads);
            var twin = Sample(level, volume, width, items, threads);
            for (int j = 0; j < body.Length; j++) BitIdentical(body[j], twin[j], $"z[{j}] ({level}, volume {volume}, width {width}, {threads} threads)");
        }
    }

    private static float[] Sample(SimdLevel level, int volume, int width, int items, int threads)
    {
        using var device = new ManagedDevice(DeviceFactory.Context, threads, level);
        using var z = device.Allocate<float>((long)items * width);
        device.Launch(items, (long)items * width, new PriorSampleKernel<Floats>(z.View, volume, width, new RngKey(5), 13, RngStream.FlowPrior));
        return Download(device, z);
    }
}
