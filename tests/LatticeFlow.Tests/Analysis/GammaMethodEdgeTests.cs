using LatticeFlow.Analysis;

namespace LatticeFlow.Tests.Analysis;

/// <summary>
/// The corners of the Γ-method where an analysis tool can silently lie: white noise and anticorrelated series (Wolff's
/// τ_int ≤ ½ stop), errors that cannot be computed, constant series, tiny samples, and the two ways of computing Γ(t).
/// </summary>
public class GammaMethodEdgeTests
{
    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double[] WhiteNoise(int n, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => Gauss(rng))];
    }

    /// <summary>Wolff's rule by hand (hep-lat/0306017 eq. 52): τ(W) = S/ln[(2τ_int + 1)/(2τ_int − 1)], stop where exp(−W/τ) − τ/√(WN) &lt; 0.</summary>
    [Theory]
    [InlineData(0.5, 1, 20000, true)]      // τ_int(W) ≤ ½: stop at once (the smallest double made g = 0 − 0, never < 0)
    [InlineData(0.3, 3, 100, true)]
    [InlineData(1.0, 1, 100, false)]      // τ = 1.5/ln 3 = 1.365: g = e^(−0.733) − 0.137 = 0.344
    [InlineData(1.0, 5, 100, true)]       // g = e^(−3.66) − 1.365/√500 = 0.0257 − 0.0611 < 0
    [InlineData(5.0, 10, 10000, false)]   // τ = 1.5/ln(11/9) = 7.48: g = 0.263 − 0.0075
    public void WindowRuleMatchesTheHandComputation(double tauInt, int w, double n, bool optimal) =>
        Assert.Equal(optimal, WolffWindow.IsOptimal(tauInt, w, n, 1.5));

    [Fact]
    public void WhiteNoiseStopsAtTheFirstWindowWithTauOneHalf()
    {
        // 20000 independent N(0, 1): UWerr stops at W = 1 or 2 (ρ(1) ~ ±1/√N); we used to pick W = 65.
        for (int seed = 0; seed < 20; seed++)
        {
            var r = GammaMethod.Analyze(WhiteNoise(20000, seed));
            Assert.True(r.WindowFound);
            Assert.InRange(r.Window, 1, 3);
            Assert.InRange(r.TauInt, 0.5 - 4 * r.TauIntError, 0.5 + 4 * r.TauIntError);
            Assert.InRange(r.Error * Math.Sqrt(20000), 0.95, 1.05);
            Assert.True(r.Reliable);
        }
    }

    [Fact]
    public void AnAnticorrelatedSeriesHasItsSmallTauAndError()
    {
        // MA(1): x_i = ε_i − ½ ε_{i−1}: Γ(0) = 1.25, Γ(1) = −½, Γ(t ≥ 2) = 0, so τ_int = ½ + ρ(1) = 0.1 and the error of
        // the mean is √((Γ(0) + 2Γ(1))/N) = 0.5/√N, less than half the naive √(Γ(0)/N): Wolff's rule stops at W = 1, exactly right.
        int n = 20000, seeds = 100, covered = 0;
        var taus = new List<double>();
        for (int seed = 0; seed < seeds; seed++)
        {
            var e = WhiteNoise(n + 1, 100 + seed);
            var x = Enumerable.Range(0, n).Select(i => e[i + 1] - 0.5 * e[i]).ToArray();
            var r = GammaMethod.Analyze(x);
            Assert.Equal(1, r.Window);
            Assert.Equal(ErrorStatus.Determined, r.Status);
            Assert.InRange(r.Error * Math.Sqrt(n), 0.5 * 0.9, 0.5 * 1.1);
            taus.Add(r.TauInt);
            if (Math.Abs(r.TauInt - 0.1) <= r.TauIntError) covered++;
        }
        // Unbiased within 4σ of the seeds' mean, and δτ a fair (not shrunken) error: within it in about 68 % of the seeds.
        double mean = taus.Average(), sd = Math.Sqrt(taus.Sum(t => (t - mean) * (t - mean)) / (seeds - 1));
        Assert.InRange(mean, 0.1 - 4 * sd / Math.Sqrt(seeds), 0.1 + 4 * sd / Math.Sqrt(seeds));
        Assert.InRange(covered / (double)seeds, 0.55, 0.95);
    }

    [Fact]
    public void ADerivativeOutsideTheDomainIsUndeterminedNotZero()
    {
        // arccosh of a mean just above 1: the central-difference step crosses 1 and the derivative is NaN.
        var x = WhiteNoise(10000, 3);
        double mean = x.Average();
        var shifted = x.Select(v => v - mean + 1 + 1e-6).ToArray();
        var r = GammaMethod.Derived([[shifted]], a => Math.Log(a[0] + Math.Sqrt(a[0] * a[0] - 1)));
        Assert.Equal(ErrorStatus.Undetermined, r.Status);
        Assert.True(double.IsNaN(r.Error));
        Assert.True(double.IsNaN(r.TauInt));
        Assert.False(r.Reliable);
        Assert.True(double.IsFinite(r.Value));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void ANonFiniteInputMakesTheErrorUndetermined(double bad)
    {
        var x = WhiteNoise(1000, 4);
        x[500] = bad;
        var r = GammaMethod.Analyze(x);
        Assert.Equal(ErrorStatus.Undetermined, r.Status);
        Assert.True(double.IsNaN(r.Error));
        Assert.False(r.Reliable);
    }

    [Fact]
    public void AConstantSeriesIsExactButNotReliable()
    {
        var r = GammaMethod.Analyze(Enumerable.Repeat(0.25, 300).ToArray());
        Assert.Equal(ErrorStatus.Constant, r.Status);
        Assert.Equal(0.25, r.Value);
        Assert.Equal(0, r.Error);
        Assert.True(double.IsNaN(r.TauInt));
        Assert.False(r.Reliable);
    }

    [Fact]
    public void TinySamplesNeverGiveANegativeTauOrError()
    {
        // Five numbers per chain: Γ(t) is noise. Whatever comes out, a determined τ_int and error are positive and δτ ≥ 0.
        for (int seed = 0; seed < 500; seed++)
        {
            var rng = new Random(seed);
            double[][] replicas = [[.. Enumerable.Range(0, 5).Select(_ => Gauss(rng))], [.. Enumerable.Range(0, 5).Select(_ => Gauss(rng))]];
            var r = GammaMethod.Analyze(replicas);
            if (r.Status == ErrorStatus.Determined)
            {
                Assert.True(r.TauInt > 0, $"seed {seed}: τ_int {r.TauInt}");
                Assert.True(r.Error > 0 && r.TauIntError >= 0 && r.NEff > 0, $"seed {seed}");
            }
            else Assert.True(double.IsNaN(r.Error) && double.IsNaN(r.TauInt));
            Assert.False(r.Reliable);
        }
    }

    [Fact]
    public void FftAndDirectGammaAgreeToMachinePrecision()
    {
        // As pyerrors' test_fft: the same Γ(t) by direct sums and by FFT, over replicas of unequal length.
        double[][][] replicas = [[GammaMethodTests.Ar1(0.9, 3000, 1)], [GammaMethodTests.Ar1(0.9, 2111, 2)], [GammaMethodTests.Ar1(0.9, 2500, 3)]];
        var direct = GammaMethod.Derived(replicas, a => a[0], 1.5, GammaPath.Direct);
        var fft = GammaMethod.Derived(replicas, a => a[0], 1.5, GammaPath.Fft);
        Assert.Equal(direct.Window, fft.Window);
        Assert.Equal(direct.Error, fft.Error, 1e-12 * direct.Error);
        Assert.Equal(direct.TauInt, fft.TauInt, 1e-12 * direct.TauInt);
        var projected = replicas.Select(r => new ArraySegment<double>([.. r[0].Select(v => v - replicas.SelectMany(q => q[0]).Average())])).ToArray();
        int n = projected.Sum(p => p.Count);
        var g1 = new GammaFunction(projected, n, 1000, GammaPath.Direct);
        var g2 = new GammaFunction(projected, n, 1000, GammaPath.Fft);
        for (int t = 0; t <= 1000; t++) Assert.Equal(g1[t], g2[t], 1e-12 * g1[0]);
    }

    [Fact]
    public void AnAlwaysAcceptingIndependenceChainHasTauOneHalf()
    {
        // No rejections: every ρ(t) = 0, so Wolff's rule stops at W = 1 with τ_int = ½ (it used to run to W = N/2).
        var s = AcceptanceHistory.Analyze([Enumerable.Repeat(true, 5000).ToArray()]);
        Assert.Equal(1, s.Window);
        Assert.Equal(0.5, s.TauIntFromAcceptance);
    }

    /// <summary>A chain that accepted once (or never) has no closed rejection run and no window: both undetermined, not 0 or a number.</summary>
    [Fact]
    public void ANearlyFrozenIndependenceChainHasUndeterminedStatistics()
    {
        var chain = new bool[2000];
        chain[0] = true;
        var s = AcceptanceHistory.Analyze([chain]);
        Assert.True(double.IsNaN(s.MeanRejectionRun));
        Assert.True(double.IsNaN(s.TauIntFromAcceptance));
        Assert.True(double.IsNaN(s.TauIntFromAcceptanceError));
        Assert.Equal(2000 - 0.5, s.TauIntLowerBound, 9);
    }
}
