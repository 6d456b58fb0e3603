using LatticeFlow.Benchmarks;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Tests.Benchmarks;

/// <summary>
/// The flop and byte counts of <see cref="KernelCounts"/> against a count by hand for one small launch of each hot
/// kernel: 2 chains (or samples) of a 4 × 4 lattice (32 sites), the arithmetic read off the kernel bodies line by line.
/// </summary>
public sealed class KernelCountsTests
{
    private static readonly Phi4LocalAction Action = new(-4, 8, 2);

    // Rows of 4 sites along y, 4 rows per chain, 2 chains: 32 sites, 8 rows.
    private static LatticeShape Shape(int width, int rowDims = 1) => new(rowDims, 4, rowDims > 1 ? 2 : 1, 1, 4, 2, width);

    private static KernelWork Count<T>(T kernel, int items) where T : struct, IKernel =>
        KernelCounts.Instance.Of(kernel, items) ?? throw new Xunit.Sdk.XunitException($"no count for {typeof(T).Name}");

    [Fact]
    public void MetropolisCountsTwentyNineFlopsAndTwentyFourBytesPerSiteUpdatePlusTheAcceptanceSlots()
    {
        // One colour: 16 site updates. Per update 3 (neighbour sum) + 6 (proposal) + 2·8 (local actions) + 1 (ΔS)
        // + 2 (uniform) + 1 (log) = 29. Bytes: 32 sites read, 16 written (8 B each), 8 items' slots read and written (16 B).
        var k = new MetropolisKernel<HostView<double>, Phi4LocalAction>(Shape(2), Action, default, default, default, 0, 0, 0.5, 1);
        Assert.Equal(new KernelWork(29 * 16, 8 * 32 + 8 * 16 + 16 * 8, 16, false), Count(k, 8));
        var twoHits = new MetropolisKernel<HostView<double>, Phi4LocalAction>(Shape(2), Action, default, default, default, 0, 0, 0.5, 2);
        Assert.Equal(new KernelWork(29 * 32, 8 * 32 + 8 * 16 + 16 * 8, 32, false), Count(twoHits, 8));
    }

    [Fact]
    public void TheHmcStepsAndTheEnergyCountWhatTheirBodiesDo()
    {
        // Momentum step: neighbour sum 3, force 9, π − εF 2 = 14 per site; φ read, π read and written.
        var momentum = new ForceKernel<HostView<double>, Phi4LocalAction>(Shape(4), Action, default, default, 1, 0.1);
        Assert.Equal(new KernelWork(14 * 32, 24 * 32, 32, false), Count(momentum, 8));
        // In d = 3 (a 4 × 2 × 4 lattice, 2 chains: 64 sites) the neighbour sum has 5 adds: 16 per site.
        var momentum3 = new ForceKernel<HostView<double>, Phi4LocalAction>(Shape(4, 2), new Phi4LocalAction(-4, 8, 3), default, default, 1, 0.1);
        Assert.Equal(new KernelWork(16 * 64, 24 * 64, 64, false), Count(momentum3, 16));
        // Field step: φ + επ, 2 flops; 8 items of 4 sites.
        Assert.Equal(new KernelWork(2 * 32, 24 * 32, 32, false), Count(new FieldKernel<HostView<double>>(default, default, 0.1, 4), 8));
        // Energy with momenta: kinetic 5, site term 6, sum 1, ½π² and its add 3 = 15 per site; φ and π read, 8 row sums written.
        var energy = new EnergyKernel<HostView<double>, Phi4LocalAction>(Shape(4), Action, default, default, 1, default);
        Assert.Equal(new KernelWork(15 * 32, 16 * 32 + 8 * 8, 32, false), Count(energy, 8));
    }

    [Fact]
    public void TheConvolutionsCountTwoCInCOutTapsPerSiteTheyReach()
    {
        // The tutorial's first conv, 1 → 8, 3 × 3, outputs on colour 0: 2 samples × 8 output sites.
        var shape = new ConvShape(2, 16, 1, 8, 9, 16, 0);
        // Forward: 2·1·8·9 = 144 flops per output site. Floats: input 2·16, weights 72 and biases 8, outputs 16·8,
        // tap table 16·9 and parity table 16 (ints).
        var forward = new ConvForwardKernel<HostView<float>, HostView<int>>(shape, default, default, default, default, default, default, ActivationCode.LeakyRelu);
        Assert.Equal(new KernelWork(144 * 16, 4 * (32 + 80 + 128 + 160), 16, true), Count(forward, 2));
        // Weight gradient: the same 2304 multiply-adds' flops plus the bias sums over every site (8 channels × 32 sites);
        // output gradient 2·8·16 and input 2·1·16 read, 80 parameter gradients read and written, the tables.
        var weights = new ConvWeightGradKernel<HostView<float>, HostView<int>, HostView<double>>(shape, default, default, default, default, default, default, default);
        Assert.Equal(new KernelWork(2304 + 256, 4 * (256 + 32) + 8 * 80 + 4 * 160, 16, true), Count(weights, shape.WeightGradItems));
        // Input gradient of the last conv, 8 → 2, outputs on colour 1, inputs wanted on colour 1: from a site of colour 1,
        // the taps (dx, dy) with dx + dy even reach colour 1: the centre and four corners, 5 of 9. Per input site
        // 2·8·2·5 = 160 flops, 16 input sites. Floats: output gradient 2·8·2, weights 144, input gradient 16·8, the tables.
        var last = new ConvShape(2, 16, 8, 2, 9, 16, 1);
        var inputGrad = new ConvInputGradKernel<HostView<float>, HostView<int>>(last, default, default, default, default, default, 1);
        Assert.Equal(new KernelWork(160 * 16, 4 * (32 + 144 + 128 + 160), 16, true), Count(inputGrad, 2));
        // Inputs of the other colour are reached by the four edge taps.
        var other = new ConvInputGradKernel<HostView<float>, HostView<int>>(last, default, default, default, default, default, 0);
        Assert.Equal(2 * 8 * 2 * 4 * 16, Count(other, 2).Flops);
    }

    [Fact]
    public void TheCouplingKernelsCountTheirTransformOnActiveSites()
    {
        // 2 samples of 16 sites, 16 active; affine, no clamp: exp, multiply, add = 3 flops per active site. Source read,
        // destination and log J written on 32 sites, (s, t) read on 16, parity table 16.
        var shape = new CouplingShape(2, 16, 16, 0, 2);
        var affine = new CouplingTransformKernel<HostView<float>, HostView<int>, AffineTransform>(shape, default, default, default, default, default, new AffineTransform(0), 0);
        Assert.Equal(new KernelWork(3 * 16, 4 * (3 * 32 + 2 * 16 + 16), 32, true), Count(affine, 2));
        // The soft clamp ŝ / (1 + |ŝ|/c) adds a divide, an add and a divide.
        var clamped = new CouplingTransformKernel<HostView<float>, HostView<int>, AffineTransform>(shape, default, default, default, default, default, new AffineTransform(1.5f), 0);
        Assert.Equal(6 * 16, Count(clamped, 2).Flops);
        // Backward, no clamp: e^s 1, (g·x·e + g_l)·1 4, g·e 1 = 6 per active site; g_y read, g_x and (∂s, ∂t) written on 32
        // sites, x and (s, t) read on 16, the parity table.
        var backward = new CouplingBackwardKernel<HostView<float>, HostView<int>, AffineTransform>(shape, default, default, default, default, default, default, 1f, new AffineTransform(0));
        Assert.Equal(new KernelWork(6 * 16, 4 * (4 * 32 + 3 * 16 + 16), 32, true), Count(backward, 2));
        // A spline coupling has no count.
        var spline = new CouplingTransformKernel<HostView<float>, HostView<int>, SplineTransform>(new CouplingShape(2, 16, 16, 0, 11), default, default, default, default, default, new SplineTransform(4, 2f), 0);
        Assert.Null(KernelCounts.Instance.Of(spline, 2));
    }
}
