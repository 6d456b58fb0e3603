using LatticeFlow.Flows;
using LatticeFlow.Kernels;

namespace LatticeFlow.Tests.Flows;

public class ParetoTailTests
{
    private static double[] Uniforms(int n, ulong seed)
    {
        var key = new RngKey(seed);
        var u = new double[n];
        for (int i = 0; i < n; i++)
        {
            var w = Philox.Generate(key, (uint)i, 0, 0, 0);
            u[i] = Philox.Uniform53(w.X0, w.X1);
        }
        return u;
    }

    /// <summary>Weights w = U^−ξ are Pareto with tail shape ξ exactly; the estimate's standard error is ≈ (1 + ξ)/√M.</summary>
    [Theory]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.9)]
    public void RecoversTheShapeOfParetoWeights(double xi)
    {
        const int n = 1_000_000;
        var logW = Uniforms(n, 7).Select(u => -xi * Math.Log(u)).ToArray();
        double k = ParetoTail.Shape(logW);
        double tail = Math.Min(0.2 * n, 3 * Math.Sqrt(n));
        double sigma = (1 + xi) / Math.Sqrt(tail);
        Assert.True(Math.Abs(k - xi) < 4 * sigma, $"k̂ = {k}, exact {xi} (σ ≈ {sigma:F3})");
    }

    [Fact]
    public void LightTailedWeightsPassAndEqualWeightsHaveNoTail()
    {
        var u = Uniforms(20000, 8);
        // log w normal with σ = 0.3 (Box–Muller on pairs): log-normal weights, asymptotically k = 0.
        var logW = Enumerable.Range(0, u.Length / 2).Select(i => 0.3 * Math.Sqrt(-2 * Math.Log(u[2 * i])) * Math.Cos(2 * Math.PI * u[2 * i + 1])).ToArray();
        Assert.InRange(ParetoTail.Shape(logW), -1, 0.5);
        Assert.Equal(double.NegativeInfinity, ParetoTail.Shape(Enumerable.Repeat(-3.0, 1000).ToArray()));
        Assert.True(double.IsNaN(ParetoTail.Shape([1.0, 2.0])));
        Assert.Equal(0.7, ParetoTail.Threshold(20000));
        Assert.Equal(0.5, ParetoTail.Threshold(100), 12);
    }
}
