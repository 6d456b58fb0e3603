using System.Runtime.CompilerServices;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC11; <see cref="Philox.Generate"/>) in
/// lanes, for the sampler twins (<see cref="MetropolisTwins"/>, <see cref="HmcTwins"/>): lane l runs its own call, one
/// 32-bit word in the low half of each 64-bit integer lane, so each multiply of a round is one 32 × 32 → 64 vpmuludq
/// (<see cref="IDoubleLanes{TD}.Multiply32"/>, as in tools/philox-simd). A round maps the counter (c0, c1, c2, c3) with
/// the round key (k0, k1) to (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1, lo(M0·c0)); ten rounds, the key
/// advancing by the Weyl increments (W0, W1) after each. The high halves of the lanes are left undefined (a product's
/// high word stays there): only the low 32 bits are words, and <see cref="Uniform"/> and <see cref="Uniform53"/> mask.
/// The uniforms are the body's <see cref="Philox.Uniform"/> and <see cref="Philox.Uniform53"/> bit for bit: each step
/// is exact (integers below 2⁵³, a power-of-two scale) or one IEEE operation rounded once, never fused, as in the
/// kernel bodies (DESIGN.md principle 2).
/// </summary>
internal static unsafe class PhiloxLanes
{
    /// <summary>The round keys (k0, k1) + r·(W0, W1), r = 0 … 9, broadcast, at <paramref name="roundKeys"/>[2r], [2r + 1].</summary>
    public static void RoundKeys<TL, TD>(RngKey key, TD* roundKeys) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        uint k0 = key.K0, k1 = key.K1;
        for (int r = 0; r < 10; r++)
        {
            roundKeys[2 * r] = TL.BroadcastBits(k0);
            roundKeys[2 * r + 1] = TL.BroadcastBits(k1);
            k0 += Philox.W0;
            k1 += Philox.W1;
        }
    }

    /// <summary>One call per lane: the counter in <paramref name="w"/>, its words there after ten rounds (<see cref="RoundKeys"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Generate<TL, TD>(ref PhiloxWords<TD> w, TD* roundKeys) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        for (int r = 0; r < 10; r++) Round<TL, TD>(ref w, roundKeys, r);
    }

    /// <summary>
    /// Two calls per lane, lane l of <paramref name="a"/> keyed by (siteA + l, chain, step, stream) as
    /// <see cref="Philox.Generate"/>, of <paramref name="b"/> by siteB + l. The two calls' rounds alternate, so their
    /// serial chains of multiplies overlap (as in <see cref="Philox.Generate2"/>); unrolled by hand, since the JIT keeps a
    /// ten-round loop and spills across its back edge.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Generate2<TL, TD>(TD siteA, TD siteB, TD chain, TD step, TD stream, TD* roundKeys, out PhiloxWords<TD> a, out PhiloxWords<TD> b)
        where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        a = new PhiloxWords<TD>(siteA, chain, step, stream);
        b = new PhiloxWords<TD>(siteB, chain, step, stream);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 0);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 1);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 2);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 3);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 4);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 5);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 6);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 7);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 8);
        Rounds<TL, TD>(ref a, ref b, roundKeys, 9);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rounds<TL, TD>(ref PhiloxWords<TD> a, ref PhiloxWords<TD> b, TD* roundKeys, int r)
        where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        Round<TL, TD>(ref a, roundKeys, r);
        Round<TL, TD>(ref b, roundKeys, r);
    }

    /// <summary>Round <paramref name="r"/> (see the class comment): the high words of the products become the new c0, c2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round<TL, TD>(ref PhiloxWords<TD> c, TD* roundKeys, int r) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        TD p0 = TL.Multiply32(c.X0, TL.BroadcastBits(Philox.M0)), p1 = TL.Multiply32(c.X2, TL.BroadcastBits(Philox.M1));
        c.X0 = TL.Xor(TL.Xor(TL.ShiftRight(p1, 32), c.X1), roundKeys[2 * r]);
        c.X2 = TL.Xor(TL.Xor(TL.ShiftRight(p0, 32), c.X3), roundKeys[2 * r + 1]);
        c.X1 = p1;
        c.X3 = p0;
    }

    /// <summary><see cref="Philox.Uniform"/> of the low 32 bits w of each lane: 2⁵² + w read as a double, less 2⁵² − ½, times 2⁻³², each step exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TD Uniform<TL, TD>(TD w) where TL : struct, IDoubleLanes<TD> where TD : unmanaged =>
        TL.Multiply(TL.Subtract(TL.Or(TL.And(w, TL.BroadcastBits(0xFFFF_FFFFUL)), TL.BroadcastBits(0x4330_0000_0000_0000)), TL.Broadcast(4503599627370495.5)),
            TL.Broadcast(1.0 / 4294967296.0));

    /// <summary>
    /// <see cref="Philox.Uniform53"/> of the low 32 bits of each lane of <paramref name="hi"/> and <paramref name="lo"/>:
    /// ((hi·2²¹ ⊕ ⌊lo/2¹¹⌋) + ½)·2⁻⁵³, the integer below 2⁵³ converted exactly, the sum rounded once, the scale exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TD Uniform53<TL, TD>(TD hi, TD lo) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        TD low32 = TL.BroadcastBits(0xFFFF_FFFFUL);
        TD n = TL.Xor(TL.ShiftLeft(TL.And(hi, low32), 21), TL.ShiftRight(TL.And(lo, low32), 11));
        return TL.Multiply(TL.Add(TL.ConvertToDouble(n), TL.Broadcast(0.5)), TL.Broadcast(1.0 / 9007199254740992.0));
    }
}

/// <summary>The Philox counter of C calls in lanes (<see cref="PhiloxLanes"/>), and after ten rounds their words.</summary>
internal struct PhiloxWords<TD>(TD x0, TD x1, TD x2, TD x3) where TD : unmanaged
{
    public TD X0 = x0, X1 = x1, X2 = x2, X3 = x3;
}
