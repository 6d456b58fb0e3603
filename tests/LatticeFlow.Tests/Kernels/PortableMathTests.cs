using System.Runtime.Intrinsics;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Kernels;

namespace LatticeFlow.Tests.Kernels;

/// <summary>
/// <see cref="PortableMath"/> against the C library (Math.Log, Math.Exp, Math.SinCos) and against an exact quarter-turn table, and
/// its lanes (<see cref="PortableMathLanes"/>, 256- and 512-bit) against it bit for bit, on the inputs the Gaussian kernel
/// gives it (53-bit uniforms) and on the whole range of positive normal doubles.
/// </summary>
public sealed class PortableMathTests
{
    /// <summary>Uniforms as <see cref="Philox.Uniform53"/> makes them, with their extremes, and the logarithm's edges.</summary>
    private static double[] LogInputs()
    {
        var rng = new Random(29);
        var x = new List<double> { Philox.Uniform53(0, 0), Philox.Uniform53(uint.MaxValue, uint.MaxValue), 1.0, 0.5, 2.0,
            double.Epsilon * (1L << 52), double.MaxValue, PortableMath.Sqrt2, Math.BitDecrement(PortableMath.Sqrt2), Math.BitIncrement(PortableMath.Sqrt2),
            Math.BitIncrement(1.0), Math.BitDecrement(1.0), Math.E };
        for (int j = 0; j < 300_000; j++) x.Add(Philox.Uniform53((uint)rng.Next(), (uint)rng.Next()) * (rng.Next(2) == 0 ? 1 : 1.0 / (1L << 40)));
        // Log-uniform over every binade of the normal doubles.
        for (int j = 0; j < 300_000; j++) x.Add(Math.ScaleB(1.0 + rng.NextDouble(), rng.Next(-1022, 1024)));
        return [.. x];
    }

    /// <summary>The spline's arguments (differences of float logits, softplus and sigmoid inputs), the whole range, the edges.</summary>
    private static double[] ExpInputs()
    {
        var rng = new Random(37);
        var x = new List<double> { 0.0, -0.0, 1.0, -1.0, Math.Log(2), 0.5 * Math.Log(2), -0.5 * Math.Log(2), 1.5 * Math.Log(2), 1e-300, -1e-300,
            PortableMath.ExpOverflow, Math.BitIncrement(PortableMath.ExpOverflow), PortableMath.ExpFlush, Math.BitDecrement(PortableMath.ExpFlush), -745.2, 1000.0, -1000.0,
            double.PositiveInfinity, double.NegativeInfinity, Math.BitDecrement(PortableMath.ExpOverflow), 709.436, 709.5, -707.7 };
        for (int j = 0; j < 200_000; j++) x.Add((float)((rng.NextDouble() - 0.5) * 40));
        for (int j = 0; j < 200_000; j++) x.Add(PortableMath.ExpFlush + rng.NextDouble() * (PortableMath.ExpOverflow - PortableMath.ExpFlush));
        for (int j = 0; j < 100_000; j++) x.Add(Math.ScaleB(rng.NextDouble() - 0.5, -rng.Next(0, 60)));
        return [.. x];
    }

    private static double[] AngleInputs()
    {
        var rng = new Random(31);
        var u = new List<double> { 0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, Philox.Uniform53(0, 0), Philox.Uniform53(uint.MaxValue, uint.MaxValue) };
        foreach (double q in new[] { 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875 }) u.AddRange([Math.BitDecrement(q), Math.BitIncrement(q)]);
        for (int j = 0; j < 600_000; j++) u.Add(Philox.Uniform53((uint)rng.Next(), (uint)rng.Next()));
        return [.. u];
    }

    /// <summary>
    /// fdlibm's log is within 1 ulp of ln x and glibc's within 0.52 ulp (its documented bound), so the two are at most one
    /// double apart.
    /// </summary>
    [Fact]
    public void LogIsWithinOneDoubleOfTheCLibrarys()
    {
        foreach (double x in LogInputs())
        {
            double ours = PortableMath.Log(x), libm = Math.Log(x);
            Assert.True(ours == libm || ours == Math.BitIncrement(libm) || ours == Math.BitDecrement(libm), $"log({x:R}): {ours:R}, Math.Log {libm:R}");
        }
        Assert.Equal(0.0, PortableMath.Log(1.0));
    }

    /// <summary>
    /// fdlibm's exp is within 1 ulp of e^x and glibc's correctly rounded in all but rare cases, so the two are at most
    /// one double apart; outside the range, +∞ and the flush to 0.
    /// </summary>
    [Fact]
    public void ExpIsWithinOneDoubleOfTheCLibrarys()
    {
        foreach (double x in ExpInputs())
        {
            double ours = PortableMath.Exp(x), libm = x < PortableMath.ExpFlush ? 0.0 : Math.Exp(x);
            Assert.True(ours == libm || ours == Math.BitIncrement(libm) || ours == Math.BitDecrement(libm), $"exp({x:R}): {ours:R}, Math.Exp {libm:R}");
            // Within range the result is finite (one double above MaxValue would be +∞).
            Assert.True(x > PortableMath.ExpOverflow || double.IsFinite(ours), $"exp({x:R}) = {ours:R}");
        }
        Assert.Equal(1.0, PortableMath.Exp(0.0));
        Assert.Equal(double.PositiveInfinity, PortableMath.Exp(710.0));
    }

    /// <summary>
    /// Against the C library at 2·Math.PI·u, whose argument carries the rounding of the product (≤ ½ ulp(2π) =
    /// 4.44·10⁻¹⁶) and of Math.PI itself (|π − Math.PI|·2u ≤ 2.45·10⁻¹⁶), its own ½ ulp (≤ 1.11·10⁻¹⁶) against ours
    /// (θ = r·π/2 rounded, ≤ 1.0·10⁻¹⁶ with π/2's rounding, and the polynomial's ≤ 1 ulp of values ≤ 1, 2.2·10⁻¹⁶): the two
    /// differ by less than 1.13·10⁻¹⁵ (sinusoids are 1-Lipschitz). Measured: ~4·10⁻¹⁶. And sin² + cos² = 1 to 4·2⁻⁵³.
    /// </summary>
    [Fact]
    public void SinCosTwoPiAgreesWithTheCLibraryAndIsOnTheCircle()
    {
        double bound = 4.44e-16 + 2.45e-16 + 1.11e-16 + 1.0e-16 + 2.22e-16;
        double maxSin = 0, maxCos = 0;
        foreach (double u in AngleInputs())
        {
            PortableMath.SinCosTwoPi(u, out double sin, out double cos);
            var (s, c) = Math.SinCos(2.0 * Math.PI * u);
            maxSin = Math.Max(maxSin, Math.Abs(sin - s));
            maxCos = Math.Max(maxCos, Math.Abs(cos - c));
            Assert.True(Math.Abs(sin * sin + cos * cos - 1.0) <= 4 * Math.ScaleB(1.0, -53), $"u = {u:R}: sin² + cos² = {sin * sin + cos * cos:R}");
        }
        Assert.True(maxSin < bound && maxCos < bound, $"largest differences from Math.SinCos: sin {maxSin:E2}, cos {maxCos:E2}");
    }

    /// <summary>The exact reduction: at whole eighths of a turn the quadrant is right and the axes are hit exactly.</summary>
    [Theory]
    [InlineData(0.0, 0.0, 1.0)]
    [InlineData(0.25, 1.0, 0.0)]
    [InlineData(0.5, 0.0, -1.0)]
    [InlineData(0.75, -1.0, 0.0)]
    [InlineData(1.0, 0.0, 1.0)]
    [InlineData(-0.25, -1.0, 0.0)]
    public void SinCosTwoPiIsExactOnTheAxes(double u, double sin, double cos)
    {
        PortableMath.SinCosTwoPi(u, out double s, out double c);
        Assert.Equal(sin, s);
        Assert.Equal(cos, c);
        PortableMath.SinCosTwoPi(u + 0.125, out s, out c);
        double half = Math.Sqrt(0.5);
        Assert.True(Math.Abs(s - (sin + cos) * half) < 3e-16 && Math.Abs(c - (cos - sin) * half) < 3e-16, $"u = {u + 0.125}: ({s:R}, {c:R})");
    }

    [Fact]
    public void LanesAreBitIdenticalToTheScalarFunctions()
    {
        Compare<DoubleLanes4, Vector256<double>>();
        Compare<DoubleLanes8, Vector512<double>>();
    }

    private static unsafe void Compare<TL, TD>() where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        int c = TL.Count;
        double* lanes = stackalloc double[3 * c];
        foreach (var (inputs, what) in new[] { (LogInputs(), "log"), (ExpInputs(), "exp"), (AngleInputs(), "sincos") })
            for (int j = 0; j + c <= inputs.Length; j += c)
            {
                for (int l = 0; l < c; l++) lanes[l] = inputs[j + l];
                if (what == "log") TL.Store(lanes + c, PortableMathLanes.Log<TL, TD>(TL.Load(lanes)));
                else if (what == "exp") TL.Store(lanes + c, PortableMathLanes.Exp<TL, TD>(TL.Load(lanes)));
                else
                {
                    PortableMathLanes.SinCosTwoPi<TL, TD>(TL.Load(lanes), out var sin, out var cos);
                    TL.Store(lanes + c, sin);
                    TL.Store(lanes + 2 * c, cos);
                }
                for (int l = 0; l < c; l++)
                {
                    double x = inputs[j + l], s = 0, co = 0;
                    if (what == "sincos") PortableMath.SinCosTwoPi(x, out s, out co);
                    double expected = what == "log" ? PortableMath.Log(x) : what == "exp" ? PortableMath.Exp(x) : s;
                    Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(lanes[c + l]),
                        $"{typeof(TL).Name} {what}({x:R}): scalar {expected:R}, lanes {lanes[c + l]:R}");
                    if (what == "sincos")
                        Assert.True(BitConverter.DoubleToInt64Bits(co) == BitConverter.DoubleToInt64Bits(lanes[2 * c + l]),
                            $"{typeof(TL).Name} cos 2π·{x:R}: scalar {co:R}, lanes {lanes[2 * c + l]:R}");
                }
            }
    }
}
