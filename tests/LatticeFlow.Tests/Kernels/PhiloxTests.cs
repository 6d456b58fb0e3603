using LatticeFlow.Kernels;

namespace LatticeFlow.Tests.Kernels;

public class PhiloxTests
{
    /// <summary>Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).</summary>
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdcceb, 0x5001e420u, 0x24126ea1u)]
    public void MatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint r0, uint r1, uint r2, uint r3)
    {
        var w = Philox.Generate(new RngKey(((ulong)k1 << 32) | k0), c0, c1, c2, c3);
        Assert.Equal([r0, r1, r2, r3], new[] { w.X0, w.X1, w.X2, w.X3 });
    }

    [Fact]
    public void UniformsAreUniform()
    {
        // Mean 1/2 and variance 1/12 of 4·10⁵ draws, within 4σ.
        int n = 100_000;
        double sum = 0, sum2 = 0;
        var key = new RngKey(42);
        for (int i = 0; i < n; i++)
        {
            var w = Philox.Generate(key, (uint)i, 0, 0, 0);
            foreach (var u in new[] { Philox.Uniform(w.X0), Philox.Uniform(w.X1), Philox.Uniform53(w.X2, w.X3) })
            {
                Assert.InRange(u, double.Epsilon, 1 - 1e-12);
                sum += u;
                sum2 += u * u;
            }
        }
        int m = 3 * n;
        double mean = sum / m, variance = sum2 / m - mean * mean;
        Assert.InRange(mean, 0.5 - 4 * Math.Sqrt(1.0 / 12 / m), 0.5 + 4 * Math.Sqrt(1.0 / 12 / m));
        Assert.InRange(variance, 1.0 / 12 - 4 * Math.Sqrt(1.0 / 180 / m), 1.0 / 12 + 4 * Math.Sqrt(1.0 / 180 / m));
    }
}
