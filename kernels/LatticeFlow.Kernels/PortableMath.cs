namespace LatticeFlow.Kernels;

/// <summary>
/// The logarithm and the sine and cosine of 2πu for the Gaussian numbers (<see cref="GaussianKernel{TV}"/>), and the
/// exponential and logarithm of the spline coupling (<see cref="Flows.RationalQuadraticSpline"/>), written with IEEE 754
/// basic operations only (+, −, ×, ÷ rounded to nearest, none fused) and exact bit manipulations, so that any
/// implementation that performs the same operations in the same order gets the same bits: the host SIMD twins
/// (src/LatticeFlow/Devices/Simd/PortableMathLanes.cs) compute four or eight of them per vector, where the C library's
/// exp, log, sin and cos (what XMath calls on the host) have no vector counterpart that rounds as they do, and cost as
/// much as the rest of an HMC trajectory. The algorithms are fdlibm's (Sun Microsystems, 1993; as in musl): e_exp.c with
/// one formula for every k, e_log.c's general formula for the logarithm (for every mantissa: without its special cases
/// for |f| &lt; 2⁻²⁰ and its high-word reduction, so its proof of a &lt; 1 ulp error does not carry over;
/// PortableMathTests finds it within one double of Math.Log everywhere it looks), and __sin.c and __cos.c on
/// [−π/4, π/4] after an exact reduction of u. The guarantee is for the host: kernel bodies and twins give the same
/// bits; a GPU compiler may contract a multiply and an add into an FMA (ptxas does by default), which has not been
/// checked on a device.
/// Tests: tests/LatticeFlow.Tests/Kernels/PortableMathTests.cs (against Math.Exp, Math.Log, Math.SinCos).
/// </summary>
public static class PortableMath
{
    /// <summary>ln 2 in two parts (Ln2Hi has 32 bits, so k·Ln2Hi is exact for |k| &lt; 2²⁰) and fdlibm's coefficients.</summary>
    public const double Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;
    public const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
        Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01, Lg7 = 1.479819860511658591e-01;
    public const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04,
        S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    public const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05,
        C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;

    /// <summary>fdlibm's e_exp.c: 1/ln 2 and the coefficients of its remez polynomial R(r²) ≈ r·coth(r/2).</summary>
    public const double InvLn2 = 1.44269504088896338700e+00, P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
        P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08;

    /// <summary>
    /// <see cref="Exp"/>'s range: above ExpOverflow e^x overflows to +∞; below ExpFlush it is returned as 0, though
    /// e^x is a normal double down to −708.396 (3.3·10⁻³⁰⁸ &gt; e^x ≥ 2⁻¹⁰²²), so that 2ᵏ never falls below 2⁻¹⁰²¹ and the
    /// exponent bits never need a subnormal path.
    /// </summary>
    public const double ExpOverflow = 7.09782712893383973096e+02, ExpFlush = -708.0;

    /// <summary>The smallest positive normal double, 2⁻¹⁰²²: <see cref="Log"/>'s inputs start there.</summary>
    public const double MinNormal = 2.2250738585072014E-308;

    /// <summary>√2 rounded: mantissas above it are halved, so that f = m − 1 ∈ (√2/2 − 1, √2 − 1].</summary>
    public const double Sqrt2 = 1.4142135623730951;

    /// <summary>1.5·2⁵²: t + RoundingShift − RoundingShift is t rounded to the nearest integer (|t| &lt; 2⁵¹).</summary>
    public const double RoundingShift = 6755399441055744.0;

    /// <summary>
    /// ln x for a positive normal double x (2⁻¹⁰²² ≤ x &lt; ∞; nothing else is checked), within one double of the C
    /// library's on every input tested: x = 2ᵏ·m with
    /// m ∈ (√2/2, √2], f = m − 1 (exact), s = f/(2 + f), ln m = f − f²/2 + s(f²/2 + R(s²)) with fdlibm's minimax R
    /// (e_log.c), and ln x = k·ln2_hi − ((f²/2 − (s(f²/2 + R) + k·ln2_lo)) − f).
    /// </summary>
    public static double Log(double x)
    {
        ulong bits = ILGPU.Interop.FloatAsInt(x);
        double k = (int)(bits >> 52) - 1023;
        double m = ILGPU.Interop.IntAsFloat((bits & 0x000F_FFFF_FFFF_FFFFUL) | 0x3FF0_0000_0000_0000UL);
        if (m > Sqrt2)
        {
            m *= 0.5;
            k += 1.0;
        }
        return LogReduced(m - 1.0, k);
    }

    /// <summary>The polynomial part of <see cref="Log"/>: ln(2ᵏ(1 + f)) from f and k, in fdlibm's order of operations.</summary>
    public static double LogReduced(double f, double k)
    {
        double hfsq = 0.5 * f * f;
        double s = f / (2.0 + f);
        double z = s * s;
        double w = z * z;
        double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
        double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
        double r = t2 + t1;
        return k * Ln2Hi - ((hfsq - (s * (hfsq + r) + k * Ln2Lo)) - f);
    }

    /// <summary>
    /// e^x for x not NaN, within one double of the C library's on every input tested (fdlibm's e_exp.c is &lt; 1 ulp):
    /// k = x/ln 2 rounded to the nearest integer (by <see cref="RoundingShift"/>), r = (x − k·ln2_hi) − k·ln2_lo,
    /// c = r − r²(P1 + r²(P2 + …)), e^r = 1 − ((k·ln2_lo − r c/(2 − c)) − (x − k·ln2_hi)), and 2ᵏ added to the exponent
    /// bits; +∞ above <see cref="ExpOverflow"/>, 0 below <see cref="ExpFlush"/> (flushed: the true value is below 2⁻¹⁰²¹).
    /// Where it departs from e_exp.c: one formula for every k (fdlibm special-cases k = 0, where this one performs the same
    /// roundings), k rounded to nearest-even by the shift (fdlibm truncates x/ln 2 ± ½: either k keeps |r| ≤ ½ ln 2 up to
    /// rounding), no shortcut for |x| &lt; 2⁻²⁸, and the flush instead of fdlibm's subnormal results.
    /// </summary>
    public static double Exp(double x)
    {
        if (x > ExpOverflow) return double.PositiveInfinity;
        if (x < ExpFlush) return 0.0;
        double shifted = x * InvLn2 + RoundingShift;
        double k = shifted - RoundingShift;
        double hi = x - k * Ln2Hi, lo = k * Ln2Lo;
        double r = hi - lo;
        double z = r * r;
        double c = r - z * (P1 + z * (P2 + z * (P3 + z * (P4 + z * P5))));
        double y = 1.0 - ((lo - r * c / (2.0 - c)) - hi);
        return ILGPU.Interop.IntAsFloat(ILGPU.Interop.FloatAsInt(y) + ((ulong)(long)k << 52));
    }

    /// <summary>
    /// sin 2πu and cos 2πu for |u| &lt; 2⁴⁹, each within about 2 ulp of the value at u (the reduction is exact; the
    /// rounding of θ = r·π/2 is the largest error near the zeros). t = 4u (exact), q = t rounded to the nearest integer, r = t − q ∈ [−½, ½] (exact), θ = r·π/2
    /// (one rounding), then musl's __sin(θ) and __cos(θ) and the quadrant q mod 4: (sin, cos) = (s, c), (c, −s),
    /// (−s, −c), (−c, s). sin 2πu at u = ¼, ½, ¾ is exactly 1, 0, −1 (and likewise the cosine).
    /// </summary>
    public static void SinCosTwoPi(double u, out double sin, out double cos)
    {
        double t = 4.0 * u;
        double shifted = t + RoundingShift;
        double theta = (t - (shifted - RoundingShift)) * (0.5 * System.Math.PI);
        SinCosReduced(theta, out double s, out double c);
        ulong quadrant = ILGPU.Interop.FloatAsInt(shifted) & 3;
        sin = (quadrant & 1) == 0 ? s : c;
        cos = (quadrant & 1) == 0 ? c : s;
        if ((quadrant & 2) != 0) sin = -sin;
        if (quadrant == 1 || quadrant == 2) cos = -cos;
    }

    /// <summary>musl's __sin(θ, 0, 0) and __cos(θ, 0) for |θ| ≤ π/4, in their order of operations.</summary>
    public static void SinCosReduced(double theta, out double sin, out double cos)
    {
        double z = theta * theta;
        double w = z * z;
        double rs = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
        sin = theta + z * theta * (S1 + z * rs);
        double rc = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
        double hz = 0.5 * z;
        double one = 1.0 - hz;
        cos = one + (((1.0 - one) - hz) + z * rc);
    }
}
