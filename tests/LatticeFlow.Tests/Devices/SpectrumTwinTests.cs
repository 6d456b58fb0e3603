using ILGPU;
using ILGPU.Runtime;
using Floats = LatticeFlow.Kernels.DeviceView<float>;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Flows;
using LatticeFlow.Kernels.Flows;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// The Hartley-transform twin (<see cref="SpectrumTwins"/>) against its body, bit for bit: the same unfused products and
/// partial sums in the same order. Both axes, rows a multiple of the lanes and not (the overlapping last vector), rows of
/// 8–15 on AVX-512 (8 lanes), rows shorter than 8 (the body), transform lengths with remainders 0 to 3 mod 4,
/// L_x ≠ L_y, batches of 1 and 3, one and two threads.
/// </summary>
public sealed class SpectrumTwinTests
{
    public static TheoryData<SimdLevel, int, int, int> Cases => new()
    {
        { SimdLevel.Avx2, 6, 10, 3 },
        { SimdLevel.Avx2, 8, 8, 1 },
        { SimdLevel.Avx2, 14, 12, 3 },
        { SimdLevel.Avx2, 10, 20, 1 },
        { SimdLevel.Avx512, 12, 18, 3 },
        { SimdLevel.Avx512, 16, 16, 1 },
        { SimdLevel.Avx512, 6, 34, 3 },
        { SimdLevel.Avx512, 12, 12, 3 },
        { SimdLevel.Avx512, 10, 8, 1 },
        { SimdLevel.Avx2, 9, 11, 3 },
        { SimdLevel.Avx2, 7, 13, 1 },
        { SimdLevel.Avx2, 6, 6, 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheTwinIsBitIdenticalToTheBody(SimdLevel level, int lx, int ly, int batch)
    {
        foreach (bool xAxis in new[] { true, false })
            foreach (int threads in new[] { 1, 2 })
            {
                var body = Transform(SimdLevel.Off, lx, ly, batch, xAxis, threads);
                var twin = Transform(level, lx, ly, batch, xAxis, threads);
                for (int j = 0; j < body.Length; j++)
                    BitIdentical(body[j], twin[j], $"output {j} ({level}, {lx}x{ly}, batch {batch}, {(xAxis ? "x" : "y")} axis, {threads} threads)");
            }
    }

    /// <summary>The twin takes every full launch whose rows (L_y outputs) fill 8 lanes, and no other: the comparison above would pass unseen if it ran the body everywhere.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void TheTwinTakesEveryLaunchOfRowsAsLongAsItsLanes(SimdLevel level, int lx, int ly, int batch)
    {
        using var device = new ManagedDevice(DeviceFactory.Context, 1, SimdLevel.Off);
        using var context = new TwinContext(new SerialLauncher(), level);
        var twin = HostTwin<HartleyAxisKernel<Floats>>.Launch!;
        int v = lx * ly;
        foreach (bool xAxis in new[] { true, false })
        {
            using var buffers = new Buffers(device, lx, ly, batch, xAxis);
            Assert.Equal(ly >= 8, twin(buffers.Kernel, context, batch * v, (long)batch * v));
            Assert.False(twin(buffers.Kernel, context, batch * v - 1, (long)batch * v));
        }
    }

    /// <summary>The twin reads the matrix's rows as its columns, so the layer's Hartley matrix must be symmetric to the bit.</summary>
    [Theory]
    [InlineData(6)]
    [InlineData(13)]
    [InlineData(64)]
    public void TheHartleyMatrixIsSymmetricToTheBit(int n)
    {
        var h = SpectrumScalingLayer.Hartley(n);
        for (int r = 0; r < n; r++)
            for (int m = 0; m < r; m++) BitIdentical(h[r * n + m], h[m * n + r], $"H[{r}, {m}] against H[{m}, {r}]");
    }

    private static float[] Transform(SimdLevel level, int lx, int ly, int batch, bool xAxis, int threads)
    {
        using var device = new ManagedDevice(DeviceFactory.Context, threads, level);
        using var buffers = new Buffers(device, lx, ly, batch, xAxis);
        int n = batch * lx * ly;
        device.Launch(n, (long)n * (xAxis ? lx : ly), buffers.Kernel);
        return Download(device, buffers.Destination);
    }

    /// <summary>Random inputs and per-site factors, the layer's Hartley matrix of the axis, and the kernel over them.</summary>
    private sealed class Buffers : IDisposable
    {
        private readonly MemoryBuffer1D<float, Stride1D.Dense> _source, _matrix, _scale;

        public MemoryBuffer1D<float, Stride1D.Dense> Destination { get; }
        public HartleyAxisKernel<Floats> Kernel { get; }

        public Buffers(ComputeDevice device, int lx, int ly, int batch, bool xAxis)
        {
            int v = lx * ly, n = xAxis ? lx : ly;
            _source = Upload(device, Values(batch * v, lx * 100 + ly, 2));
            _matrix = Upload(device, SpectrumScalingLayer.Hartley(n));
            _scale = Upload(device, Values(v, batch + 7, 3));
            Destination = device.Allocate<float>(batch * v);
            Kernel = new HartleyAxisKernel<Floats>(_source.View, Destination.View, _matrix.View, n, xAxis ? ly : 1, v, _scale.View);
        }

        public void Dispose()
        {
            _source.Dispose();
            _matrix.Dispose();
            _scale.Dispose();
            Destination.Dispose();
        }
    }
}
