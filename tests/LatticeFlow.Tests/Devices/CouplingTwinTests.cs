using System.Runtime.Intrinsics;
using Floats = LatticeFlow.Kernels.DeviceView<float>;
using Ints = LatticeFlow.Kernels.DeviceView<int>;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Flows;
using LatticeFlow.Kernels.Flows;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// The coupling twins (<see cref="CouplingTwins"/>; affine with and without a clamp, and additive and spline below) against their bodies: forward, inverse and backward (the
/// backward as the flow calls it, ∂L/∂y and ∂L/∂x in one buffer, and in two), both colours, volumes with a scalar tail
/// (6 × 6 = 4 vectors of 8 and 4 sites; 10 × 10 = 12 of 8 and 4, or 6 of 16 and 4) and without (8 × 8, 10 × 12),
/// log-scales in (−4, 4). The twins do the bodies' float operations in order, so wherever the twin's e^s (the vector
/// exp of this width, rounded to float) equals the body's (Math.Exp, rounded) every output must have the body's bits;
/// elsewhere each is held to the bound CouplingTwins states. log J, ∂L/∂t and the frozen sites are exact everywhere.
/// </summary>
public sealed class CouplingTwinTests
{
    private const float LogDetGrad = -1.25f;

    [Theory]
    [InlineData(SimdLevel.Avx2, 6, 6, 3, 0, 0f)]
    [InlineData(SimdLevel.Avx2, 8, 8, 1, 1, 0f)]
    [InlineData(SimdLevel.Avx2, 10, 12, 3, 0, 0f)]
    [InlineData(SimdLevel.Avx2, 10, 10, 2, 1, 0f)]
    [InlineData(SimdLevel.Avx512, 6, 6, 3, 1, 0f)]
    [InlineData(SimdLevel.Avx512, 10, 10, 2, 0, 0f)]
    [InlineData(SimdLevel.Avx2, 6, 6, 3, 1, 2.5f)]
    [InlineData(SimdLevel.Avx2, 10, 12, 2, 0, 0.75f)]
    [InlineData(SimdLevel.Avx512, 10, 10, 2, 1, 2.5f)]
    public void AffineTwinsMatchTheBodies(SimdLevel level, int lx, int ly, int batch, int active, float clamp)
    {
        int v = lx * ly;
        var affine = new AffineTransform(clamp);
        Assert.True(CouplingTwins.Takes(affine, new CouplingShape(batch, v, v, active, 2), level), "the twin does not take this launch");
        var x = Values(batch * v, 1, 3);
        var net = Values(batch * 2 * v, 2, 4);
        var g = Values(batch * v, 3, 1);
        var colour = new LatticeFlow.Lattice.LatticeGeometry(lx, ly).ParityTable();
        var body = Run(SimdLevel.Off, affine, lx, ly, batch, active, x, net, g);
        var twin = Run(level, affine, lx, ly, batch, active, x, net, g);
        int exps = 0, differ = 0;
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < v; s++)
            {
                int i = b * v + s, si = b * 2 * v + s, ti = si + v;
                string at = $"[{i}] ({level}, {lx}×{ly})";
                BitIdentical(body.LogJForward[i], twin.LogJForward[i], "log J forward" + at);
                BitIdentical(body.LogJInverse[i], twin.LogJInverse[i], "log J inverse" + at);
                BitIdentical(body.GradNet[ti], twin.GradNet[ti], "∂L/∂t" + at);
                BitIdentical(body.GradNetInPlace[ti], twin.GradNetInPlace[ti], "∂L/∂t in place" + at);
                bool frozen = colour[s] != active;
                // The clamped log-scale as AffineTransform computes it, in float.
                double scale = clamp > 0f ? net[si] / (1f + Math.Abs(net[si]) / clamp) : net[si], t = net[ti], e = Math.Exp(scale);
                bool forwardAgrees = frozen || SameExp(level, scale), inverseAgrees = frozen || SameExp(level, -scale);
                exps += 2;
                differ += (forwardAgrees ? 0 : 1) + (inverseAgrees ? 0 : 1);
                // CouplingTwins' bounds, for e^s one float ulp apart: y 6u|x e| + 2u|t|, x (inverse) 4u|(y − t) e^{−s}|,
                // ∂L/∂x 4u|g e|, ∂L/∂s 6u|g x e| + 2u|g_l|, with a clamp D(8u|g x e| + 4u|g_l|), D = ds/dŝ; one more u on
                // each for the O(u²) terms.
                double d = clamp > 0f ? 1 + Math.Abs(net[si]) / clamp : 1, slope = 1 / (d * d);
                double gradScaleBound = clamp > 0f ? slope * (9 * U * Math.Abs(g[i] * x[i] * e) + 5 * U * Math.Abs(LogDetGrad))
                    : 7 * U * Math.Abs(g[i] * x[i] * e) + 3 * U * Math.Abs(LogDetGrad);
                Compare(body.Forward[i], twin.Forward[i], forwardAgrees, 7 * U * Math.Abs(x[i] * e) + 3 * U * Math.Abs(t), "y" + at);
                Compare(body.Inverse[i], twin.Inverse[i], inverseAgrees, 5 * U * Math.Abs(x[i] - t) / e, "x" + at);
                foreach (var (gx, gn, how) in new[] { (body.GradX, body.GradNet, ""), (body.GradXInPlace, body.GradNetInPlace, " in place") })
                {
                    var (tx, tn) = how == "" ? (twin.GradX, twin.GradNet) : (twin.GradXInPlace, twin.GradNetInPlace);
                    Compare(gx[i], tx[i], forwardAgrees, 5 * U * Math.Abs(g[i] * e), "∂L/∂x" + how + at);
                    Compare(gn[si], tn[si], forwardAgrees, gradScaleBound, "∂L/∂s" + how + at);
                }
            }
        // Most e^s agree after rounding to float, so the exact comparisons above decide almost every site.
        Assert.True(differ * 10 < exps, $"{differ} of {exps} exponentials differ between the twin and the body");
    }

    /// <summary>The additive transform has no exp: every output of its twins has the body's bits.</summary>
    [Theory]
    [InlineData(SimdLevel.Avx2, 6, 6, 3, 0)]
    [InlineData(SimdLevel.Avx2, 8, 8, 1, 1)]
    [InlineData(SimdLevel.Avx2, 10, 10, 2, 1)]
    [InlineData(SimdLevel.Avx512, 6, 6, 3, 1)]
    [InlineData(SimdLevel.Avx512, 10, 12, 2, 0)]
    public void AdditiveTwinsAreBitIdenticalToTheBodies(SimdLevel level, int lx, int ly, int batch, int active)
    {
        int v = lx * ly;
        Assert.True(CouplingTwins.Takes(new AdditiveTransform(), new CouplingShape(batch, v, v, active, 1), level), "the twin does not take this launch");
        var x = Values(batch * v, 1, 3);
        var net = Values(batch * v, 2, 4);
        var g = Values(batch * v, 3, 1);
        var body = Run(SimdLevel.Off, new AdditiveTransform(), lx, ly, batch, active, x, net, g);
        var twin = Run(level, new AdditiveTransform(), lx, ly, batch, active, x, net, g);
        foreach (var (what, b, t) in Pairs(body, twin))
            for (int i = 0; i < b.Length; i++) BitIdentical(b[i], t[i], $"{what}[{i}] ({level}, {lx}×{ly})");
    }

    /// <summary>
    /// The spline's exp and log are PortableMath's in body and twin, so every output has the body's bits: bins odd and
    /// even (the middle knot), down to 2; sites inside and outside [−B, B], of both signs (the mirrored evaluation), on
    /// the bounds and at 0; logits of either sign up to 3 (bins of very different widths). Each case checks that the
    /// inputs reach the tails, both signs and most bins, so that the comparisons see the selects' every branch.
    /// </summary>
    [Theory]
    [InlineData(SimdLevel.Avx2, 6, 6, 3, 0, 8, 4f)]
    [InlineData(SimdLevel.Avx2, 8, 8, 1, 1, 5, 3f)]
    [InlineData(SimdLevel.Avx2, 10, 12, 2, 1, 2, 2f)]
    [InlineData(SimdLevel.Avx2, 10, 10, 2, 0, 3, 1.5f)]
    [InlineData(SimdLevel.Avx2, 8, 8, 2, 0, 16, 4f)]
    [InlineData(SimdLevel.Avx512, 6, 6, 3, 1, 8, 4f)]
    [InlineData(SimdLevel.Avx512, 10, 10, 2, 0, 7, 3f)]
    public void SplineTwinsAreBitIdenticalToTheBodies(SimdLevel level, int lx, int ly, int batch, int active, int bins, float bound)
    {
        int v = lx * ly;
        var spline = new SplineTransform(bins, bound);
        Assert.True(CouplingTwins.Takes(spline, new CouplingShape(batch, v, v, active, spline.Channels), level), "the twin does not take this launch");
        var x = Values(batch * v, 1, 1.3 * bound);
        x[0] = bound;
        x[1] = -bound;
        x[2] = 0f;
        x[3] = -0f;
        var net = Values(batch * spline.Channels * v, 2, 3);
        var g = Values(batch * v, 3, 1);
        var body = Run(SimdLevel.Off, spline, lx, ly, batch, active, x, net, g);
        var twin = Run(level, spline, lx, ly, batch, active, x, net, g);
        foreach (var (what, b, t) in Pairs(body, twin))
            for (int i = 0; i < b.Length; i++) BitIdentical(b[i], t[i], $"{what}[{i}] ({level}, {lx}×{ly}, K = {bins})");

        var colour = new LatticeFlow.Lattice.LatticeGeometry(lx, ly).ParityTable();
        var reached = new HashSet<int>();
        int tails = 0, positive = 0, negative = 0;
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < v; s++)
            {
                float xs = x[b * v + s];
                if (colour[s] != active) continue;
                if (!(Math.Abs(xs) < bound)) { tails++; continue; }
                if (xs > 0) positive++; else negative++;
                // The bin of −|x| in the site's (mirrored where x > 0) widths.
                reached.Add(RationalQuadraticSpline.Locate(new HostLogits(net, b, s, v, bins, xs > 0), 0, bins, bound, -Math.Abs(xs), out _, out _));
            }
        Assert.True(tails > 0 && positive > 0 && negative > 0 && reached.Count >= Math.Min(bins, 4),
            $"inputs too narrow: {tails} tails, {positive} positive, {negative} negative, bins {string.Join(",", reached)}");
    }

    /// <summary>
    /// Ties, where the body's branches decide by one comparison of equal floats: sites exactly on interior knots of the
    /// widths (where the forward map searches) and of the heights (the inverse's), of both mirror signs, the middle knot
    /// of an even K among them; sites at ξ = ½ exactly (forward: the nearer-knot choice) and at y − y_k = y_{k+1} − y
    /// exactly (inverse); bounds whose products round (3, 2.5, 1.3 and 1.5: three significands); and degenerate sites
    /// whose slope outputs are near float's overflow (log g' NaN). The twin must break every tie as the body does; the
    /// test asserts that it placed ties in both blocks with both signs.
    /// </summary>
    [Theory]
    [InlineData(SimdLevel.Avx2, 2, 3f)]
    [InlineData(SimdLevel.Avx2, 5, 1.3f)]
    [InlineData(SimdLevel.Avx2, 6, 3f)]
    [InlineData(SimdLevel.Avx2, 8, 3f)]
    [InlineData(SimdLevel.Avx2, 8, 2.5f)]
    [InlineData(SimdLevel.Avx512, 6, 1.5f)]
    public void SplineTwinsBreakTiesAsTheBodies(SimdLevel level, int bins, float bound)
    {
        const int lx = 12, ly = 12, batch = 4, active = 0, v = lx * ly;
        var spline = new SplineTransform(bins, bound);
        int channels = spline.Channels;
        var net = Values(batch * channels * v, 4, 3);
        var x = Values(batch * v, 5, bound);
        var colour = new LatticeFlow.Lattice.LatticeGeometry(lx, ly).ParityTable();
        var rng = new Random(6);
        int knots = 0, middles = 0, halves = 0, degenerate = 0;
        var reached = new HashSet<(int Block, bool Flip)>();
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < v; s++)
            {
                if (colour[s] != active) continue;
                if (s % 11 == 0)
                {
                    for (int k = 0; k < bins - 1; k++) net[(b * channels + 2 * bins + k) * v + s] = 3e38f;
                    degenerate++;
                    continue;
                }
                // The site's mirror sign decides how its logits are read; the tie is placed at v = −|x| ≤ 0.
                bool flip = rng.Next(2) == 1;
                var logits = new HostLogits(net, b, s, v, bins, flip);
                int block = rng.Next(2), knot = 1 + rng.Next(bins - 1);
                float t;
                bool onKnot = rng.Next(2) == 0;
                if (onKnot) RationalQuadraticSpline.Knots(logits, block, bins, bound, knot, out t, out _);
                else
                {
                    RationalQuadraticSpline.Knots(logits, block, bins, bound, knot - 1, out float lo, out float hi);
                    t = Tie(lo, hi, block);
                }
                if (!(t < 0f)) continue;
                if (onKnot) knots++;
                else halves++;
                if (onKnot && bins % 2 == 0 && knot == bins / 2) middles++;
                reached.Add((block, flip));
                x[b * v + s] = flip ? -t : t;
            }
        Assert.True(knots > 20 && halves > 20 && degenerate > 0 && (bins % 2 == 1 || middles > 0) && reached.Count == 4,
            $"too few ties: {knots} on knots ({middles} middle), {halves} at halves, {degenerate} degenerate sites, {reached.Count} of 4 block-sign pairs");
        var body = Run(SimdLevel.Off, spline, lx, ly, batch, active, x, net, Values(batch * v, 7, 1));
        var twin = Run(level, spline, lx, ly, batch, active, x, net, Values(batch * v, 7, 1));
        foreach (var (what, b, t) in Pairs(body, twin))
            for (int i = 0; i < b.Length; i++)
                // A NaN's payload and sign are not part of the contract (IEEE 754 leaves them open; x86 makes its default
                // NaN, .NET's software path for 512-bit vectors on this AVX2 machine need not): NaN against NaN passes.
                if (!(float.IsNaN(b[i]) && float.IsNaN(t[i]))) BitIdentical(b[i], t[i], $"{what}[{i}] ({level}, K = {bins}, B = {bound})");
        // With K ≥ 3 both of an interior bin's slopes are ~3e38 and their sum overflows; K = 2 has one interior knot.
        if (bins > 2) Assert.Contains(body.LogJForward, float.IsNaN);
    }

    // A point of bin [lo, hi] where the nearer-knot choice ties: (t − lo)/(hi − lo) = ½ exactly (forward, widths) or
    // t − lo = hi − t exactly (inverse, heights); NaN where no float within 64 ulps of the midpoint does.
    private static float Tie(float lo, float hi, int block)
    {
        float up = lo + 0.5f * (hi - lo), down = up;
        for (int j = 0; j < 64; j++, up = MathF.BitIncrement(up), down = MathF.BitDecrement(down))
            foreach (float c in new[] { up, down })
                if (block == 0 ? (c - lo) / (hi - lo) == 0.5f : c - lo == hi - c) return c;
        return float.NaN;
    }

    /// <summary>A site's logits in the twins' layout (channel c at net[(b·C + c)·V + s]), read as SplineLogits reads them.</summary>
    private readonly struct HostLogits(float[] net, int b, int s, int volume, int bins, bool flip) : ISplineLogits
    {
        private float At(int c) => net[(b * (3 * bins - 1) + c) * volume + s];

        public float Logit(int block, int j) => At(block * bins + (flip ? bins - 1 - j : j));

        public float Slope(int k) => At(2 * bins + (flip ? bins - k : k) - 1);

        public void ClearGradients() { }

        public void AddLogitGradient(int block, int j, float g) { }

        public void AddSlopeGradient(int k, float g) { }
    }

    [Fact]
    public void TwinsTakeEveryTransform()
    {
        var shape = new CouplingShape(1, 64, 64, 0, 2);
        Assert.True(CouplingTwins.Takes(new AffineTransform(2f), shape, SimdLevel.Avx2));
        Assert.True(CouplingTwins.Takes(new SplineTransform(8, 4f), new CouplingShape(1, 64, 64, 0, 23), SimdLevel.Avx2));
        Assert.True(CouplingTwins.Takes(new AdditiveTransform(), new CouplingShape(1, 64, 64, 0, 1), SimdLevel.Avx2));
        Assert.False(CouplingTwins.Takes(new AffineTransform(0f), shape, SimdLevel.Off));
        Assert.False(CouplingTwins.Takes(new AffineTransform(0f), new CouplingShape(1, 64, 1, 0, 2), SimdLevel.Avx2));
    }

    // Whether e^v rounded to float is the same from Math.Exp (ActivationCode.FastExp, the body) and from the vector exp
    // of the twin's width.
    private static bool SameExp(SimdLevel level, double v)
    {
        float body = ActivationCode.FastExp((float)v);
        double twin = level == SimdLevel.Avx512 ? Vector512.Exp(Vector512.Create(v))[0] : Vector256.Exp(Vector256.Create(v))[0];
        return BitConverter.SingleToInt32Bits(body) == BitConverter.SingleToInt32Bits((float)twin);
    }

    private static void Compare(float body, float twin, bool exact, double bound, string what)
    {
        if (exact) BitIdentical(body, twin, what);
        else Within(body, twin, bound, what);
    }

    // Every output of the four launches, body beside twin (∂L/∂p is ∂L/∂s, ∂L/∂t for the affine transform).
    private static (string What, float[] Body, float[] Twin)[] Pairs(Outputs body, Outputs twin) =>
    [
        ("y", body.Forward, twin.Forward), ("log J", body.LogJForward, twin.LogJForward), ("x", body.Inverse, twin.Inverse),
        ("log J inverse", body.LogJInverse, twin.LogJInverse), ("∂L/∂x", body.GradX, twin.GradX), ("∂L/∂p", body.GradNet, twin.GradNet),
        ("∂L/∂x in place", body.GradXInPlace, twin.GradXInPlace), ("∂L/∂p in place", body.GradNetInPlace, twin.GradNetInPlace),
    ];

    private sealed record Outputs(float[] Forward, float[] LogJForward, float[] Inverse, float[] LogJInverse, float[] GradX, float[] GradNet,
        float[] GradXInPlace, float[] GradNetInPlace);

    private static Outputs Run<TT>(SimdLevel level, TT transform, int lx, int ly, int batch, int active, float[] x, float[] net, float[] g)
        where TT : struct, ICouplingTransform
    {
        using var device = new ManagedDevice(DeviceFactory.Context, 2, level);
        using var lattice = new FlowLattice(device, new LatticeFlow.Lattice.LatticeGeometry(lx, ly), 3);
        int v = lx * ly;
        int channels = transform.Channels;
        var shape = new CouplingShape(batch, v, v, active, channels);
        using var xs = Upload(device, x);
        using var ns = Upload(device, net);
        using var y = device.Allocate<float>(batch * v);
        using var lj = device.Allocate<float>(batch * v);
        using var back = device.Allocate<float>(batch * v);
        using var ljBack = device.Allocate<float>(batch * v);
        using var gy = Upload(device, g);
        using var gx = device.Allocate<float>(batch * v);
        using var gn = Upload(device, Values(batch * channels * v, 9, 1));
        using var gInPlace = Upload(device, g);
        using var gnInPlace = Upload(device, Values(batch * channels * v, 9, 1));
        device.Launch(batch, batch * v, new CouplingTransformKernel<Floats, Ints, TT>(shape, lattice.Parity, xs.View, ns.View, y.View, lj.View, transform, 0));
        device.Launch(batch, batch * v, new CouplingTransformKernel<Floats, Ints, TT>(shape, lattice.Parity, xs.View, ns.View, back.View, ljBack.View, transform, 1));
        device.Launch(batch, batch * v, new CouplingBackwardKernel<Floats, Ints, TT>(shape, lattice.Parity, xs.View, ns.View, gy.View, gx.View, gn.View, LogDetGrad, transform));
        device.Launch(batch, batch * v, new CouplingBackwardKernel<Floats, Ints, TT>(shape, lattice.Parity, xs.View, ns.View, gInPlace.View, gInPlace.View, gnInPlace.View, LogDetGrad, transform));
        return new Outputs(Download(device, y), Download(device, lj), Download(device, back), Download(device, ljBack), Download(device, gx), Download(device, gn),
            Download(device, gInPlace), Download(device, gnInPlace));
    }
}
