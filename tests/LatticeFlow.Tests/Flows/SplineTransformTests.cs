using LatticeFlow.Flows;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;
using LatticeFlow.Physics;

namespace LatticeFlow.Tests.Flows;

/// <summary>
/// The rational-quadratic spline transforms one site at a time (the flow-level tests run them through
/// <see cref="FlowVariants"/>): the identity at zero parameters, exact knots, tails and ends, the round trip against
/// the float32 conditioning bound, the reflection symmetry of the equivariant form, and the settings and file checks.
/// </summary>
public sealed unsafe class SplineTransformTests
{
    private static float[] Channels(int count, int seed, double scale)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((2 * rng.NextDouble() - 1) * scale))];
    }

    private static SiteParameters<HostView<float>> View(float* p) => new(new HostView<float>(p), 0, 1);

    private static float Forward(ICouplingTransform t, float[] ch, float x, out float logJ)
    {
        fixed (float* p = ch) return t.Forward(x, View(p), out logJ);
    }

    private static float Inverse(ICouplingTransform t, float[] ch, float y, out float logJ)
    {
        fixed (float* p = ch) return t.Inverse(y, View(p), out logJ);
    }

    private static ICouplingTransform[] Splines(int bins, float bound) => [new SplineTransform(bins, bound)];

    /// <summary>
    /// log g' = ln(s² m/den²) agrees with the C library's logarithm within one float rounding where the ratio is a positive
    /// normal double (from float parts it is one unless a part is 0, ∞, NaN or negative), and NaN (a non-finite proposal)
    /// where a degenerate site makes it 0, ∞, NaN or negative.
    /// </summary>
    [Theory]
    [InlineData(0.5f, 2f, 1.5f, false)]
    [InlineData(1e-3f, 1e-3f, 1e3f, false)]
    [InlineData(1f, 1f, float.PositiveInfinity, true)]
    [InlineData(0f, 1f, 1f, true)]
    [InlineData(1f, 1f, 0f, true)]
    [InlineData(1f, float.NaN, 1f, true)]
    [InlineData(float.PositiveInfinity, 1f, 1f, true)]
    [InlineData(1f, -1f, 1f, true)]
    [InlineData(1e-38f, 1e-38f, 3e38f, false)]
    public void LogRatioIsTheLogarithmOrNaN(float s, float m, float den, bool nan)
    {
        float ours = RationalQuadraticSpline.LogRatio(s, m, den);
        if (nan) Assert.True(float.IsNaN(ours), $"ln({s}² {m}/{den}²) = {ours}, expected NaN");
        else Assert.Equal((float)Math.Log((double)s * s * m / ((double)den * den)), ours, 6);
    }

    /// <summary>Uniform bins and every derivative 1 (all parameters 0) is the identity map, inside and outside [−B, B].</summary>
    [Theory]
    [InlineData(2, 1.0f)]
    [InlineData(5, 3.0f)]
    [InlineData(8, 4.0f)]
    public void ZeroParametersAreTheIdentity(int bins, float bound)
    {
        foreach (var t in Splines(bins, bound))
        {
            var ch = new float[t.Channels];
            for (float x = -1.5f * bound; x <= 1.5f * bound; x += bound / 37f)
            {
                float y = Forward(t, ch, x, out float logJ);
                Assert.True(Math.Abs(y - x) <= 1e-6f * bound, $"{t.GetType().Name}: g({x}) = {y}");
                Assert.True(Math.Abs(logJ) <= 1e-6f, $"{t.GetType().Name}: log g'({x}) = {logJ}");
                Assert.True(Math.Abs(Inverse(t, ch, x, out _) - x) <= 1e-6f * bound);
            }
        }
    }

    /// <summary>Knots map to knots exactly and back; tails and ±B are the identity; just inside ±B round-trips.</summary>
    [Fact]
    public void KnotsTailsAndEndsRoundTrip()
    {
        const int bins = 6;
        const float bound = 3f;
        var ch = Channels(3 * bins - 1, 3, 2.0);
        var t = new SplineTransform(bins, bound);
        fixed (float* p = ch)
        {
            var l = new SplineLogits<HostView<float>>(View(p), View(p), bins, 0);
            for (int k = 0; k < bins; k++)
            {
                RationalQuadraticSpline.Knots(l, 0, bins, bound, k, out float x0, out _);
                RationalQuadraticSpline.Knots(l, 1, bins, bound, k, out float y0, out _);
                float y = t.Forward(x0, View(p), out float logJ);
                Assert.Equal(y0, y);
                // At a knot g' is the knot's derivative δ_k (1 at −B).
                Assert.Equal(MathF.Log(RationalQuadraticSpline.Derivative(l, bins, k)), logJ, 5);
                Assert.Equal(x0, t.Inverse(y0, View(p), out float logJi));
                Assert.Equal(logJ, logJi, 5);
            }
        }
        foreach (float x in new[] { -bound, bound, -bound - 1e-3f, bound + 1e-3f, -10f, 10f, 1e30f, float.NegativeInfinity })
        {
            Assert.Equal(x, Forward(t, ch, x, out float logJ));
            Assert.Equal(0f, logJ);
            Assert.Equal(x, Inverse(t, ch, x, out logJ));
            Assert.Equal(0f, logJ);
        }
        foreach (float x in new[] { MathF.BitDecrement(bound), MathF.BitIncrement(-bound), 0f })
        {
            float y = Forward(t, ch, x, out float logJ);
            Assert.True(y > -bound && y < bound);
            Assert.True(Math.Abs(Inverse(t, ch, y, out float logJi) - x) <= 1e-5f, $"x = {x}");
            Assert.Equal(logJ, logJi, 3);
        }
    }

    /// <summary>
    /// With parameters drawn wide (logits ±6, slopes down to ~1e-6 inside a bin), the float32 round trip is as accurate as
    /// the conditioning allows: |x − g⁻¹(g(x))| within two roundings on the scale of B divided by g'(x). (log g' is not
    /// compared here: next to a bin of minimal width and steep slope it changes by ~2s/w per unit of x, 0.06 over one
    /// rounding of x in the worst case drawn; the flow tests compare it on ordinary parameters.)
    /// </summary>
    [Fact]
    public void RoundTripIsAsAccurateAsTheConditioningAllows()
    {
        const int bins = 8;
        const float bound = 4f;
        var rng = new Random(5);
        foreach (var t in Splines(bins, bound))
            for (int trial = 0; trial < 4000; trial++)
            {
                var ch = Channels(t.Channels, trial, 6.0);
                float x = (float)((2 * rng.NextDouble() - 1) * 1.2 * bound);
                float y = Forward(t, ch, x, out float logJ);
                float back = Inverse(t, ch, y, out _);
                double slope = Math.Exp(logJ);
                double ulp = MathF.BitIncrement(bound) - bound;
                double allowed = 2 * ulp / slope + 4 * ulp;
                Assert.True(Math.Abs(back - x) <= allowed, $"{t.GetType().Name}, trial {trial}: x = {x}, back {back}, g' = {slope:E2}, allowed {allowed:E2}");
            }
    }

    /// <summary>
    /// The spline's mirror P (the channel permutation that equivariant flows average with) reflects it:
    /// g(−x; P p) = −g(x; p) and the same for the inverse and log g', bit for bit; P is an involution; and parameters
    /// with P p = p give an odd spline. A spline is not odd in general.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(8)]
    public void TheMirrorReflectsTheSpline(int bins)
    {
        const float bound = 2.5f;
        var t = new SplineTransform(bins, bound);
        var rng = new Random(bins);
        float[] Mirror(float[] q) => [.. Enumerable.Range(0, q.Length).Select(c => t.MirrorSign(c) * q[t.MirrorChannel(c)])];
        bool asymmetric = false;
        for (int trial = 0; trial < 500; trial++)
        {
            var o = Channels(t.Channels, 100 + trial, 2.0);
            var mirrored = Mirror(o);
            Assert.Equal(o, Mirror(mirrored));
            float x = (float)((2 * rng.NextDouble() - 1) * 1.2 * bound);
            float y = Forward(t, o, x, out float logJ);
            Assert.Equal(-y, Forward(t, mirrored, -x, out float logJm));
            Assert.Equal(logJ, logJm);
            Assert.Equal(-Inverse(t, o, y, out float logJi), Inverse(t, mirrored, -y, out float logJim));
            Assert.Equal(logJi, logJim);

            var symmetric = o.Zip(mirrored, (u, v) => 0.5f * (u + v)).ToArray();
            float ys = Forward(t, symmetric, x, out float ls);
            Assert.Equal(-ys, Forward(t, symmetric, -x, out float lsm));
            Assert.Equal(ls, lsm);
            asymmetric |= Math.Abs(y + Forward(t, o, -x, out _)) > 1e-3;
        }
        Assert.True(asymmetric, "no trial gave a spline that is not odd: the test would not see a broken mirror");
    }

    [Theory]
    [InlineData(1, 4.0, "bins")]
    [InlineData(0, 4.0, "bins")]
    [InlineData(129, 4.0, "bins")]
    [InlineData(8, 0.0, "bound")]
    [InlineData(8, -1.0, "bound")]
    [InlineData(8, double.NaN, "bound")]
    [InlineData(8, double.PositiveInfinity, "bound")]
    public void UnusableBinsOrBoundAreRefused(int bins, double bound, string setting)
    {
        var a = new FlowArchitecture { Lx = 4, Ly = 4, Coupling = CouplingKind.Spline, Bins = bins, Bound = bound };
        Assert.Equal(setting, Assert.Throws<InvalidSettingException>(() => a.Validated()).Setting);
        // Other couplings ignore them.
        _ = (a with { Coupling = CouplingKind.Affine }).Validated();
    }

    /// <summary>
    /// Spline flows are written in model format 3 with their bins and bound, so a build that reads formats 1 and 2 refuses
    /// them as "a newer LatticeFlow wrote it"; affine flows stay format 2. The bins and bound are part of the network.
    /// </summary>
    [Fact]
    public void SplineModelsAreFormatThreeAndCarryBinsAndBound()
    {
        using var tmp = new TempDir();
        var arch = FlowVariants.Tiny("spline, 3 bins on [-1.5, 1.5], tanh, no final tanh");
        var weights = FlowTestModels.RandomWeights(arch.ParameterCount, 3);
        string path = tmp.Sub("spline.lfm");
        ModelFile.Write(path, ModelHeader.For(arch, Phi4Couplings.Tutorial), weights);
        var header = ModelFile.Read(path).Header;
        Assert.Equal((3, "spline", 3, 1.5), (header.FormatVersion, header.Coupling, header.Bins, header.Bound));
        Assert.Equal(arch.Describe(), header.Architecture().Describe());
        Assert.Contains("3 bins on [-1.5, 1.5]", arch.Describe());
        Assert.False(arch.SameNetworkAs(arch with { Bins = 4 }));
        Assert.False(arch.SameNetworkAs(arch with { Bound = 2 }));
        Assert.True(arch.SameNetworkAs(arch with { Lx = 8, Ly = 8 }));
        Assert.Equal(2, ModelHeader.For(FlowVariants.Tiny("affine"), Phi4Couplings.Tutorial).FormatVersion);
        Assert.Null(ModelHeader.For(FlowVariants.Tiny("affine"), Phi4Couplings.Tutorial).Bins);

        // What a format-2 reader does with the file: refuse it on its version, in one line.
        ModelFile.Write(path, header with { FormatVersion = ModelFile.Version + 1 }, weights);
        var e = Assert.Throws<InvalidInputException>(() => ModelFile.Read(path));
        Assert.Equal($"{path}: model format version {ModelFile.Version + 1}; this build reads versions 1 to {ModelFile.Version} (a newer LatticeFlow wrote it)", e.Message);
        // A format-2 header cannot hold a spline.
        ModelFile.Write(path, header with { FormatVersion = 2 }, weights);
        Assert.Contains("unknown coupling 'spline'", Assert.Throws<InvalidInputException>(() => ModelFile.Read(path)).Message);
    }
}
