using LatticeFlow.Analysis;

namespace LatticeFlow.Tests.Analysis;

public class GammaMethodTests
{
    /// <summary>x_{t+1} = a x_t + √(1 − a²) η_t: stationary with unit variance and τ_int = ½ (1 + a)/(1 − a).</summary>
    internal static double[] Ar1(double a, int n, int seed, double mean = 0)
    {
        var rng = new Random(seed);
        var x = new double[n];
        double v = Gauss(rng);
        double c = Math.Sqrt(1 - a * a);
        for (int i = 0; i < n; i++)
        {
            x[i] = mean + v;
            v = a * v + c * Gauss(rng);
        }
        return x;
    }

    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double ExactTau(double a) => 0.5 * (1 + a) / (1 - a);

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.95)]
    public void TauIntOfAr1LiesWithinItsErrorInMostSeeds(double a)
    {
        int seeds = 60, within = 0;
        for (int seed = 0; seed < seeds; seed++)
        {
            var r = GammaMethod.Analyze(Ar1(a, 20000, seed));
            Assert.True(r.WindowFound);
            if (Math.Abs(r.TauInt - ExactTau(a)) <= 2 * r.TauIntError) within++;
        }
        // Within 2δτ holds in 95% of seeds for a Gaussian estimator; allow for the window's small bias.
        Assert.True(within >= 0.85 * seeds, $"a = {a}: τ within 2δτ in only {within}/{seeds} seeds");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.7)]
    [InlineData(0.9)]
    public void ErrorOfTheMeanHasTheRightCoverage(double a)
    {
        int seeds = 200;
        var means = new double[seeds];
        var errors = new double[seeds];
        int covered = 0;
        for (int seed = 0; seed < seeds; seed++)
        {
            var r = GammaMethod.Analyze(Ar1(a, 4000, 1000 + seed, mean: 3.0));
            means[seed] = r.Value;
            errors[seed] = r.Error;
            if (Math.Abs(r.Value - 3.0) <= r.Error) covered++;
        }
        // 68.3% coverage; binomial σ over 200 seeds is 3.3%, so 4σ is ±13%.
        Assert.InRange(covered / (double)seeds, 0.683 - 0.13, 0.683 + 0.13);
        // The mean estimated error matches the scatter of the means (relative σ of a standard deviation ≈ 1/√(2·200)).
        double scatter = Math.Sqrt(means.Select(m => (m - 3.0) * (m - 3.0)).Average());
        Assert.InRange(errors.Average() / scatter, 1 - 4 / Math.Sqrt(400), 1 + 4 / Math.Sqrt(400));
        // And both match the exact σ² = 2τ_int/N of a long AR(1) chain.
        Assert.InRange(errors.Average() / Math.Sqrt(2 * ExactTau(a) / 4000), 0.85, 1.1);
    }

    [Fact]
    public void ReplicasCombineLikeTheSingleChainOnSplitData()
    {
        var x = Ar1(0.8, 40000, 7);
        var whole = GammaMethod.Analyze(x);
        var split = GammaMethod.Analyze([x[..10000], x[10000..20000], x[20000..30000], x[30000..]]);
        Assert.Equal(whole.Value, split.Value, 12);
        Assert.Equal(40000, split.N);
        Assert.InRange(split.Error / whole.Error, 0.9, 1.1);
        Assert.InRange(split.TauInt, whole.TauInt - 2 * whole.TauIntError, whole.TauInt + 2 * whole.TauIntError);
    }

    [Fact]
    public void DerivedRatioOfCorrelatedSeriesMatchesTheExactError()
    {
        // a = 2 + x, b = 1 + 0.5 x + y with x, y independent AR(1): f = a/b. Linear propagation gives
        // δf = (∂f/∂a) δa + (∂f/∂b) δb = [1/b̄ − ā/(2 b̄²)] x − (ā/b̄²) y at ā = 2, b̄ = 1.
        int seeds = 100;
        var values = new double[seeds];
        var errors = new double[seeds];
        int n = 5000;
        for (int seed = 0; seed < seeds; seed++)
        {
            var x = Ar1(0.6, n, 2 * seed);
            var y = Ar1(0.3, n, 2 * seed + 1);
            var a = x.Select(v => 2 + 0.1 * v).ToArray();
            var b = x.Zip(y, (u, v) => 1 + 0.05 * u + 0.1 * v).ToArray();
            var r = GammaMethod.Derived([[a, b]], m => m[0] / m[1]);
            values[seed] = r.Value;
            errors[seed] = r.Error;
        }
        // Exact: f_a = 1, f_b = −2 at the true means; δf = 0.1x·1 − 2(0.05x + 0.1y) = −0.2 y... the x parts cancel.
        double exactError = Math.Sqrt(0.04 * 2 * ExactTau(0.3) / n);
        Assert.InRange(errors.Average() / exactError, 0.9, 1.1);
        double scatter = Math.Sqrt(values.Select(v => (v - 2.0) * (v - 2.0)).Average());
        Assert.InRange(scatter / exactError, 1 - 4 / Math.Sqrt(200), 1 + 4 / Math.Sqrt(200));
    }

    [Fact]
    public void TooFewDataSaysSo()
    {
        // A drift over the whole chain: τ_int comes out comparable to N.
        var r = GammaMethod.Analyze(Enumerable.Range(0, 100).Select(i => (double)i).ToArray());
        Assert.False(r.Reliable);
        Assert.True(GammaMethod.Analyze(Ar1(0.8, 20000, 1)).Reliable);
    }
}
