using System.Runtime.CompilerServices;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// <see cref="PortableMath"/> in lanes, bit-identical per lane: the same rounded operations in the same order (the
/// coefficients are PortableMath's; the operations are written out a second time in lanes and tested against the scalar
/// ones bit for bit in tests/LatticeFlow.Tests/Kernels/PortableMathTests.cs); what differs is only how the
/// exact steps are done: the exponent k as an exact double from the bits (2⁵² + e read as a double, less 2⁵² + 1023), the
/// branches as selects, and the quadrant's sign changes as flips of the sign bit, which is what a scalar negation does.
/// </summary>
internal static class PortableMathLanes
{
    /// <summary><see cref="PortableMath.Log"/> per lane (positive normal doubles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TD Log<TL, TD>(TD x) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        TD one = TL.Broadcast(1.0);
        TD k = TL.Subtract(TL.Or(TL.ShiftRight(x, 52), TL.BroadcastBits(0x4330_0000_0000_0000)), TL.Broadcast(4503599627371519.0));
        TD m = TL.Or(TL.And(x, TL.BroadcastBits(0x000F_FFFF_FFFF_FFFF)), one);
        TD halve = TL.GreaterThan(m, TL.Broadcast(PortableMath.Sqrt2));
        m = TL.Select(halve, TL.Multiply(m, TL.Broadcast(0.5)), m);
        k = TL.Add(k, TL.And(halve, one));
        TD f = TL.Subtract(m, one);

        TD hfsq = TL.Multiply(TL.Multiply(TL.Broadcast(0.5), f), f);
        TD s = TL.Divide(f, TL.Add(TL.Broadcast(2.0), f));
        TD z = TL.Multiply(s, s);
        TD w = TL.Multiply(z, z);
        TD t1 = TL.Multiply(w, Horner<TL, TD>(w, PortableMath.Lg2, PortableMath.Lg4, PortableMath.Lg6));
        TD t2 = TL.Multiply(z, Horner<TL, TD>(w, PortableMath.Lg1, PortableMath.Lg3, PortableMath.Lg5, PortableMath.Lg7));
        TD r = TL.Add(t2, t1);
        TD inner = TL.Add(TL.Multiply(s, TL.Add(hfsq, r)), TL.Multiply(k, TL.Broadcast(PortableMath.Ln2Lo)));
        return TL.Subtract(TL.Multiply(k, TL.Broadcast(PortableMath.Ln2Hi)), TL.Subtract(TL.Subtract(hfsq, inner), f));
    }

    /// <summary>
    /// <see cref="PortableMath.Exp"/> per lane (not NaN): the formula on x clamped to [ExpFlush, ExpOverflow], whose
    /// results the scalar code's early returns replace, as the selects at the end do here; k from the bits of the shifted
    /// value (its low mantissa bits are k + 2⁵¹), the same integer as the scalar code's cast.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TD Exp<TL, TD>(TD x) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        TD over = TL.GreaterThan(x, TL.Broadcast(PortableMath.ExpOverflow)), flush = TL.LessThan(x, TL.Broadcast(PortableMath.ExpFlush));
        x = TL.Select(over, TL.Broadcast(PortableMath.ExpOverflow), TL.Select(flush, TL.Broadcast(PortableMath.ExpFlush), x));
        TD shift = TL.Broadcast(PortableMath.RoundingShift);
        TD shifted = TL.Add(TL.Multiply(x, TL.Broadcast(PortableMath.InvLn2)), shift);
        TD k = TL.Subtract(shifted, shift);
        TD hi = TL.Subtract(x, TL.Multiply(k, TL.Broadcast(PortableMath.Ln2Hi))), lo = TL.Multiply(k, TL.Broadcast(PortableMath.Ln2Lo));
        TD r = TL.Subtract(hi, lo);
        TD z = TL.Multiply(r, r);
        TD c = TL.Subtract(r, TL.Multiply(z, Horner<TL, TD>(z, PortableMath.P1, PortableMath.P2, PortableMath.P3, PortableMath.P4, PortableMath.P5)));
        TD y = TL.Subtract(TL.Broadcast(1.0), TL.Subtract(TL.Subtract(lo, TL.Divide(TL.Multiply(r, c), TL.Subtract(TL.Broadcast(2.0), c))), hi));
        y = TL.AddInt(y, TL.ShiftLeft(TL.SubtractInt(shifted, shift), 52));
        return TL.Select(over, TL.Broadcast(double.PositiveInfinity), TL.Select(flush, TL.Broadcast(0.0), y));
    }

    /// <summary><see cref="PortableMath.SinCosTwoPi"/> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCosTwoPi<TL, TD>(TD u, out TD sin, out TD cos) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        TD shift = TL.Broadcast(PortableMath.RoundingShift);
        TD t = TL.Multiply(TL.Broadcast(4.0), u);
        TD shifted = TL.Add(t, shift);
        TD theta = TL.Multiply(TL.Subtract(t, TL.Subtract(shifted, shift)), TL.Broadcast(0.5 * Math.PI));

        TD z = TL.Multiply(theta, theta);
        TD w = TL.Multiply(z, z);
        TD rs = TL.Add(TL.Add(TL.Broadcast(PortableMath.S2), TL.Multiply(z, Horner<TL, TD>(z, PortableMath.S3, PortableMath.S4))),
            TL.Multiply(TL.Multiply(z, w), Horner<TL, TD>(z, PortableMath.S5, PortableMath.S6)));
        TD s = TL.Add(theta, TL.Multiply(TL.Multiply(z, theta), TL.Add(TL.Broadcast(PortableMath.S1), TL.Multiply(z, rs))));
        TD rc = TL.Add(TL.Multiply(z, Horner<TL, TD>(z, PortableMath.C1, PortableMath.C2, PortableMath.C3)),
            TL.Multiply(TL.Multiply(w, w), Horner<TL, TD>(z, PortableMath.C4, PortableMath.C5, PortableMath.C6)));
        TD hz = TL.Multiply(TL.Broadcast(0.5), z);
        TD oneLess = TL.Subtract(TL.Broadcast(1.0), hz);
        TD c = TL.Add(oneLess, TL.Add(TL.Subtract(TL.Subtract(TL.Broadcast(1.0), oneLess), hz), TL.Multiply(z, rc)));

        // Quadrant bit 0 (odd: swap sine and cosine) as a full mask, bit 1 (negate the sine) and bit 0 ⊕ bit 1 (negate the
        // cosine) moved to the sign bit.
        TD odd = TL.SubtractInt(TL.BroadcastBits(0), TL.And(shifted, TL.BroadcastBits(1)));
        TD sign = TL.BroadcastBits(0x8000_0000_0000_0000);
        TD bit1 = TL.And(TL.ShiftLeft(shifted, 62), sign);
        sin = TL.Xor(TL.Select(odd, c, s), bit1);
        cos = TL.Xor(TL.Select(odd, s, c), TL.Xor(bit1, TL.ShiftLeft(shifted, 63)));
    }

    // c0 + x(c1 + x(c2 + …)), innermost first, as the scalar code nests it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Horner<TL, TD>(TD x, double c0, double c1) where TL : struct, IDoubleLanes<TD> where TD : unmanaged =>
        TL.Add(TL.Broadcast(c0), TL.Multiply(x, TL.Broadcast(c1)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Horner<TL, TD>(TD x, double c0, double c1, double c2) where TL : struct, IDoubleLanes<TD> where TD : unmanaged =>
        TL.Add(TL.Broadcast(c0), TL.Multiply(x, Horner<TL, TD>(x, c1, c2)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Horner<TL, TD>(TD x, double c0, double c1, double c2, double c3) where TL : struct, IDoubleLanes<TD> where TD : unmanaged =>
        TL.Add(TL.Broadcast(c0), TL.Multiply(x, Horner<TL, TD>(x, c1, c2, c3)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Horner<TL, TD>(TD x, double c0, double c1, double c2, double c3, double c4) where TL : struct, IDoubleLanes<TD> where TD : unmanaged =>
        TL.Add(TL.Broadcast(c0), TL.Multiply(x, Horner<TL, TD>(x, c1, c2, c3, c4)));
}
