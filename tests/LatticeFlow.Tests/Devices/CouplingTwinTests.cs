using Floats = LatticeFlow.Kernels.DeviceView<float>;
using Ints = LatticeFlow.Kernels.DeviceView<int>;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Flows;
using LatticeFlow.Kernels.Flows;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// The affine coupling twins (<see cref="CouplingTwins"/>) against their bodies: forward, inverse and backward on both
/// colours, volumes that are and are not a whole number of vectors (6 × 6 = 4 vectors of 8 and a tail of 4; 10 × 12),
/// log-scales in (−4, 4). They do the bodies' float operations in order, so they differ only where the vector double exp
/// and Math.Exp round e^s apart and that survives the rounding to float: each output within 4u times the magnitude of its
/// terms (u = 2⁻²⁴), log J and the frozen sites exact.
/// </summary>
public sealed class CouplingTwinTests
{
    private const double U = 1.0 / (1 << 24);

    [Theory]
    [InlineData(SimdLevel.Avx2, 6, 6, 3, 0)]
    [InlineData(SimdLevel.Avx2, 8, 8, 1, 1)]
    [InlineData(SimdLevel.Avx2, 10, 12, 3, 0)]
    [InlineData(SimdLevel.Avx512, 6, 6, 3, 1)]
    [InlineData(SimdLevel.Avx512, 10, 10, 2, 0)]
    public void AffineTwinsMatchTheBodies(SimdLevel level, int lx, int ly, int batch, int active)
    {
        int v = lx * ly;
        var shape = new CouplingShape(batch, v, v, active, 2);
        Assert.True(CouplingTwins.Takes(new AffineTransform(0f), shape, level), "the twin does not take this launch");
        var x = Values(batch * v, 1, 3);
        var net = Values(batch * 2 * v, 2, 4);
        var g = Values(batch * v, 3, 1);
        var colour = new LatticeFlow.Lattice.LatticeGeometry(lx, ly).ParityTable();
        var body = Run(SimdLevel.Off, lx, ly, batch, active, x, net, g);
        var twin = Run(level, lx, ly, batch, active, x, net, g);
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < v; s++)
            {
                int i = b * v + s;
                double sc = net[b * 2 * v + s], t = net[b * 2 * v + v + s], e = Math.Exp(sc);
                if (colour[s] != active)
                {
                    Exact(body.Forward[i], twin.Forward[i], "frozen forward", i);
                    Exact(body.Inverse[i], twin.Inverse[i], "frozen inverse", i);
                    Exact(body.GradX[i], twin.GradX[i], "frozen ∂L/∂x", i);
                    Exact(body.GradNet[b * 2 * v + s], twin.GradNet[b * 2 * v + s], "frozen ∂L/∂s", i);
                    Exact(body.GradNet[b * 2 * v + v + s], twin.GradNet[b * 2 * v + v + s], "frozen ∂L/∂t", i);
                    continue;
                }
                Within(body.Forward[i], twin.Forward[i], 4 * U * (Math.Abs(x[i] * e) + Math.Abs(t)), "forward", i);
                Within(body.Inverse[i], twin.Inverse[i], 4 * U * Math.Abs(x[i] - t) / e, "inverse", i);
                Within(body.GradX[i], twin.GradX[i], 4 * U * Math.Abs(g[i] * e), "∂L/∂x", i);
                Within(body.GradNet[b * 2 * v + s], twin.GradNet[b * 2 * v + s], 4 * U * (Math.Abs(g[i] * x[i] * e) + Math.Abs(LogDetGrad)), "∂L/∂s", i);
                Exact(body.GradNet[b * 2 * v + v + s], twin.GradNet[b * 2 * v + v + s], "∂L/∂t", i);
            }
        for (int i = 0; i < batch * v; i++)
        {
            Exact(body.LogJForward[i], twin.LogJForward[i], "log J (forward)", i);
            Exact(body.LogJInverse[i], twin.LogJInverse[i], "log J (inverse)", i);
        }
    }

    [Fact]
    public void OtherTransformsAndClampedAffineRunTheBodies()
    {
        var shape = new CouplingShape(1, 64, 64, 0, 2);
        Assert.False(CouplingTwins.Takes(new AffineTransform(2f), shape, SimdLevel.Avx2));
        Assert.False(CouplingTwins.Takes(new AdditiveTransform(), new CouplingShape(1, 64, 64, 0, 1), SimdLevel.Avx2));
        Assert.False(CouplingTwins.Takes(new AffineTransform(0f), shape, SimdLevel.Off));
        Assert.False(CouplingTwins.Takes(new AffineTransform(0f), new CouplingShape(1, 64, 1, 0, 2), SimdLevel.Avx2));
    }

    private const float LogDetGrad = -1.25f;

    private sealed record Outputs(float[] Forward, float[] LogJForward, float[] Inverse, float[] LogJInverse, float[] GradX, float[] GradNet);

    private static Outputs Run(SimdLevel level, int lx, int ly, int batch, int active, float[] x, float[] net, float[] g)
    {
        using var device = new ManagedDevice(DeviceFactory.Context, 2, level);
        using var lattice = new FlowLattice(device, new LatticeFlow.Lattice.LatticeGeometry(lx, ly), 3);
        int v = lx * ly;
        var shape = new CouplingShape(batch, v, v, active, 2);
        var affine = new AffineTransform(0f);
        using var xs = Upload(device, x);
        using var ns = Upload(device, net);
        using var y = device.Allocate<float>(batch * v);
        using var lj = device.Allocate<float>(batch * v);
        using var back = device.Allocate<float>(batch * v);
        using var ljBack = device.Allocate<float>(batch * v);
        using var gy = Upload(device, g);
        using var gx = device.Allocate<float>(batch * v);
        using var gn = Upload(device, Values(batch * 2 * v, 9, 1));
        device.Launch(batch, batch * v, new CouplingTransformKernel<Floats, Ints, AffineTransform>(shape, lattice.Parity, xs.View, ns.View, y.View, lj.View, affine, 0));
        device.Launch(batch, batch * v, new CouplingTransformKernel<Floats, Ints, AffineTransform>(shape, lattice.Parity, xs.View, ns.View, back.View, ljBack.View, affine, 1));
        device.Launch(batch, batch * v, new CouplingBackwardKernel<Floats, Ints, AffineTransform>(shape, lattice.Parity, xs.View, ns.View, gy.View, gx.View, gn.View, LogDetGrad, affine));
        return new Outputs(Download(device, y), Download(device, lj), Download(device, back), Download(device, ljBack), Download(device, gx), Download(device, gn));
    }

    private static void Exact(float body, float twin, string what, int at) =>
        Assert.True(BitConverter.SingleToInt32Bits(body) == BitConverter.SingleToInt32Bits(twin), $"{what}[{at}]: body {body:R}, twin {twin:R}");

    private static void Within(float body, float twin, double bound, string what, int at) =>
        Assert.True(Math.Abs((double)body - twin) <= bound, $"{what}[{at}]: body {body:R}, twin {twin:R}, |Δ| {Math.Abs((double)body - twin):E2} > bound {bound:E2}");
}
