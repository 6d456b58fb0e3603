using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Host SIMD twin of <see cref="MetropolisKernel{TV, TA}"/> with the φ⁴ local action (<see cref="Phi4LocalAction"/>; other
/// actions run the body), bit-identical to the body: the same Philox words for each site, the same proposal
/// φ + δ(2u − 1), the same ΔS with the same operations in the same order (none fused), the same test log u &lt; −ΔS, the
/// same accept counts per item. Items are rows, as for the body on the managed launcher, so nothing depends on the
/// thread count.
/// <para>
/// Layout. The body keys one Philox call per pair p of same-colour sites of a row (colour indices 2p and 2p + 1, sites
/// y = 4p + offset and 4p + 2 + offset). A block of C pairs (C = 4 doubles in 256-bit lanes, 8 in 512-bit) is 4C
/// consecutive sites, loaded as four vectors and deinterleaved into the phases y mod 4 (<see cref="IDoubleLanes{TD}.Deinterleave"/>):
/// lane l of phase offset is site 4l + offset, the first site of pair l, and lane l of phase offset + 2 its second. Lane l of
/// a vector Philox call (Salmon et al., SC11; the 32 × 32 → 64 multiplies of tools/philox-simd) then draws pair l's words,
/// words 0–1 for the first site and 2–3 for the second, as the body does. The neighbour sums Σ_μ [φ(x+μ̂) + φ(x−μ̂)] are
/// added in the body's order at all 4C sites of a block (neighbour rows by <see cref="StencilRows"/>, any d; y ± 1 from a
/// copy of the row with its periodic images at both ends) and deinterleaved the same way; the sums at the other colour's
/// sites are dropped. Pairs left over after the last whole block, and the lone last site of rows whose colour count is
/// odd, run in the body's <see cref="MetropolisKernel{TV, TA}.Update"/>; rows shorter than one block run the body.
/// </para>
/// <para>
/// The acceptance test. XMath.Log is Math.Log on the host (ILGPU's IntrinsicMath.CPUOnly.Log, the C library's log,
/// within an ulp of ln), which has no bit-exact vector counterpart. The twin brackets it instead: <see cref="Log"/> is
/// ln u to within 1.1·10⁻⁷ (below), so where it lies more than <see cref="Margin"/> = 2⁻²¹ ≈ 4.8·10⁻⁷ from −ΔS the exact
/// log lies on the same side, and the decision is the body's; the rare lanes closer than that (a fraction at most
/// 2·Margin = 10⁻⁶ of hits, since ln u has density u ≤ 1) leave their block as it was, and the body runs that block.
/// Error of <see cref="Log"/>: u = 2^e·m with m ∈ [1, 2), ln m = 2 artanh x = 2x Σ_n x²ⁿ/(2n + 1), x = (m − 1)/(m + 1) ∈ [0, ⅓)
/// (Abramowitz and Stegun 4.1.28); the sum stops at n = 5, leaving 2x Σ_{n≥6} x²ⁿ/(2n + 1) ≤ ⅔·9⁻⁶/(13·8/9) = 1.09·10⁻⁷, and
/// the roundings of |e ln 2| ≤ 23 add a few 10⁻¹⁵. tests/LatticeFlow.Tests/Devices/MetropolisTwinTests.cs checks the bound
/// against Math.Log.
/// </para>
/// </summary>
internal static unsafe class MetropolisTwins
{
    /// <summary>How far the approximate log must lie from −ΔS for the twin to decide without Math.Log.</summary>
    public const double Margin = 1.0 / (1 << 21);

    /// <summary>Longest row the twin copies onto the stack; longer rows run the body.</summary>
    private const int MaxRow = 1 << 14;

    private const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

    public static bool Update<TV, TA>(MetropolisKernel<TV, TA> k, TwinContext context, int items, long sites)
        where TV : struct, IView<double> where TA : struct, ILocalAction
    {
        var s = k.Shape;
        if (typeof(TA) != typeof(Phi4LocalAction) || s.Width != s.Ly / 2 || s.Ly > MaxRow) return false;
        int pairs = s.Ly / 4, lanes = context.Level == SimdLevel.Avx512 && pairs >= 8 ? 8 : 4;
        if (pairs < lanes) return false;
        var action = k.Action;
        var body = new MetropolisKernel<HostView<double>, Phi4LocalAction>(s, Unsafe.As<TA, Phi4LocalAction>(ref action), k.Phi.Host,
            k.Accepted.Host, k.Key, k.Sweep, k.Parity, k.Delta, k.Hits);
        if (lanes == 8) context.Launcher.Launch(items, sites, new MetropolisTwin<DoubleLanes8, Vector512<double>>(body, Margin));
        else context.Launcher.Launch(items, sites, new MetropolisTwin<DoubleLanes4, Vector256<double>>(body, Margin));
        return true;
    }

    /// <summary>ln u for u ∈ (0, 1), within 1.1·10⁻⁷ (see the class comment).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TD Log<TL, TD>(TD u) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        // The biased exponent as the low bits of 2⁵² + e + 1023, and the mantissa with the exponent of 1.
        TD e = TL.Subtract(TL.Or(TL.ShiftRight(u, 52), TL.BroadcastBits(0x4330_0000_0000_0000)), TL.Broadcast(4503599627371519.0));
        TD one = TL.Broadcast(1.0);
        TD m = TL.Or(TL.And(u, TL.BroadcastBits(0x000F_FFFF_FFFF_FFFF)), one);
        TD x = TL.Divide(TL.Subtract(m, one), TL.Add(m, one));
        TD z = TL.Multiply(x, x);
        TD sum = TL.Broadcast(1.0 / 11);
        sum = TL.Add(TL.Multiply(sum, z), TL.Broadcast(1.0 / 9));
        sum = TL.Add(TL.Multiply(sum, z), TL.Broadcast(1.0 / 7));
        sum = TL.Add(TL.Multiply(sum, z), TL.Broadcast(1.0 / 5));
        sum = TL.Add(TL.Multiply(sum, z), TL.Broadcast(1.0 / 3));
        sum = TL.Add(TL.Multiply(sum, z), one);
        return TL.Add(TL.Multiply(e, TL.Broadcast(Math.Log(2.0))), TL.Multiply(TL.Add(x, x), sum));
    }

    /// <summary>
    /// Philox4x32-10 for C pairs at once, lane l keyed by (site0 + l, chain, step, stream) as <see cref="Philox.Generate"/>;
    /// the four words in the low 32 bits of each lane (the high bits are not defined).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Philox<TL, TD>(TD site, TD chain, TD step, TD stream, TD* roundKeys, out TD x0, out TD x1, out TD x2, out TD x3)
        where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        TD c0 = site, c1 = chain, c2 = step, c3 = stream;
        // Unrolled by hand: the JIT keeps a ten-round loop, and spills its state across the back edge.
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 0);
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 1);
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 2);
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 3);
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 4);
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 5);
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 6);
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 7);
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 8);
        Round<TL, TD>(ref c0, ref c1, ref c2, ref c3, roundKeys, 9);
        (x0, x1, x2, x3) = (c0, c1, c2, c3);
    }

    /// <summary>One Philox4x32 round in lanes (<see cref="Kernels.Philox"/>): the high words of the products become the new c0, c2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round<TL, TD>(ref TD c0, ref TD c1, ref TD c2, ref TD c3, TD* roundKeys, int r)
        where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        TD p0 = TL.Multiply32(c0, TL.BroadcastBits(M0)), p1 = TL.Multiply32(c2, TL.BroadcastBits(M1));
        c0 = TL.Xor(TL.Xor(TL.ShiftRight(p1, 32), c1), roundKeys[2 * r]);
        c2 = TL.Xor(TL.Xor(TL.ShiftRight(p0, 32), c3), roundKeys[2 * r + 1]);
        c1 = p1;
        c3 = p0;
    }

    /// <summary>The Philox round keys (k0, k1) + r·(W0, W1), r = 0 … 9, broadcast, at <paramref name="roundKeys"/>[2r], [2r + 1].</summary>
    public static void RoundKeys<TL, TD>(RngKey key, TD* roundKeys) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
    {
        uint k0 = key.K0, k1 = key.K1;
        for (int r = 0; r < 10; r++)
        {
            roundKeys[2 * r] = TL.BroadcastBits(k0);
            roundKeys[2 * r + 1] = TL.BroadcastBits(k1);
            k0 += W0;
            k1 += W1;
        }
    }

    /// <summary><see cref="Kernels.Philox.Uniform"/> of the low 32 bits w of each lane: 2⁵² + w read as a double, less 2⁵² − ½, times 2⁻³², each step exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TD Uniform<TL, TD>(TD w) where TL : struct, IDoubleLanes<TD> where TD : unmanaged =>
        TL.Multiply(TL.Subtract(TL.Or(TL.And(w, TL.BroadcastBits(0xFFFF_FFFFUL)), TL.BroadcastBits(0x4330_0000_0000_0000)), TL.Broadcast(4503599627370495.5)),
            TL.Broadcast(1.0 / 4294967296.0));
}

/// <summary>
/// One row per item (see <see cref="MetropolisTwins"/>): whole blocks of C pairs in lanes, the rest in the body.
/// <paramref name="margin"/> is <see cref="MetropolisTwins.Margin"/>; tests widen it to send every block to the body.
/// </summary>
internal readonly unsafe struct MetropolisTwin<TL, TD>(MetropolisKernel<HostView<double>, Phi4LocalAction> body, double margin) : IKernel
    where TL : struct, IDoubleLanes<TD> where TD : unmanaged
{
    private readonly MetropolisKernel<HostView<double>, Phi4LocalAction> _body = body;
    private readonly double _margin = margin;

    public void Execute(int item)
    {
        var k = _body;
        var s = k.Shape;
        s.LocateHalf(item, out int chain, out int r, out _);
        var rows = new StencilRows(s, chain, r);
        int ly = s.Ly, c = TL.Count, blocks = ly / 4 / c;
        double* row = k.Phi.Pointer + rows.Row;
        double* padded = stackalloc double[ly + 2];
        Buffer.MemoryCopy(row, padded + 1, 8L * ly, 8L * ly);
        padded[0] = row[ly - 1];
        padded[ly + 1] = row[0];
        TD* roundKeys = stackalloc TD[20];
        MetropolisTwins.RoundKeys<TL, TD>(k.Key, roundKeys);
        long taken = 0;
        // A block where some lane's log u lies within the margin of −ΔS is left as it was and run by the body.
        for (int block = 0; ; block++)
        {
            block = Blocks(k, rows, chain, r, padded + 1, roundKeys, block, blocks, _margin, ref taken);
            if (block == blocks) break;
            taken += k.Update(item, 2 * c * block, 2 * c * (block + 1));
        }
        taken += k.Update(item, 2 * c * blocks, s.Width);
        k.Accepted.Pointer[item] += taken;
    }

    /// <summary>
    /// The hits on blocks <paramref name="first"/> … of the row (4C sites each), their acceptances added to
    /// <paramref name="taken"/>, up to the first block whose decisions the bracket leaves open (not written back): its
    /// index, or <paramref name="blocks"/>. No calls inside: the JIT would keep the loop's vectors on the stack around them.
    /// </summary>
    private static int Blocks(in MetropolisKernel<HostView<double>, Phi4LocalAction> k, in StencilRows rows, int chain, int r, double* padded,
        TD* roundKeys, int first, int blocks, double margin, ref long taken)
    {
        var s = k.Shape;
        var action = k.Action;
        int c = TL.Count, ly = s.Ly, rowDims = s.RowDims, offset = (rows.CoordinateSum + k.Parity) & 1, hits = k.Hits;
        double* phi = k.Phi.Pointer;
        double* row = phi + rows.Row;
        double* up0 = phi + rows.Up0, down0 = phi + rows.Down0, up1 = phi + rows.Up1, down1 = phi + rows.Down1, up2 = phi + rows.Up2, down2 = phi + rows.Down2;
        TD chainLanes = TL.BroadcastBits((uint)chain), step = TL.BroadcastBits(k.Sweep), count = TL.BroadcastBits(0);
        TD delta = TL.Broadcast(k.Delta), bracket = TL.Broadcast(margin), diagonal = TL.Broadcast(action.Diagonal), lambda = TL.Broadcast(action.Lambda);
        int block = first;
        for (; block < blocks; block++)
        {
            int y0 = 4 * c * block;
            TD n0 = Neighbours(rowDims, up0, down0, up1, down1, up2, down2, padded, y0);
            TD n1 = Neighbours(rowDims, up0, down0, up1, down1, up2, down2, padded, y0 + c);
            TD n2 = Neighbours(rowDims, up0, down0, up1, down1, up2, down2, padded, y0 + 2 * c);
            TD n3 = Neighbours(rowDims, up0, down0, up1, down1, up2, down2, padded, y0 + 3 * c);
            TL.Deinterleave(ref n0, ref n1, ref n2, ref n3);
            TD v0 = TL.Load(row + y0), v1 = TL.Load(row + y0 + c), v2 = TL.Load(row + y0 + 2 * c), v3 = TL.Load(row + y0 + 3 * c);
            TL.Deinterleave(ref v0, ref v1, ref v2, ref v3);
            TD nbA = offset == 0 ? n0 : n1, nbB = offset == 0 ? n2 : n3;
            TD a = offset == 0 ? v0 : v1, b = offset == 0 ? v2 : v3;
            TD actionA = LocalAction(a, nbA, diagonal, lambda), actionB = LocalAction(b, nbB, diagonal, lambda);
            TD site = TL.AddInt(TL.BroadcastBits((uint)(r * ly + block * c)), TL.LaneIndex);
            TD accepted = TL.BroadcastBits(0), decided = TL.BroadcastBits(ulong.MaxValue);
            for (int h = 0; h < hits; h++)
            {
                TD stream = TL.BroadcastBits(RngStream.Metropolis + (uint)(2 * h + k.Parity));
                MetropolisTwins.Philox<TL, TD>(site, chainLanes, step, stream, roundKeys, out var x0, out var x1, out var x2, out var x3);
                Hit(ref a, ref actionA, nbA, x0, x1, delta, diagonal, lambda, bracket, ref accepted, ref decided);
                Hit(ref b, ref actionB, nbB, x2, x3, delta, diagonal, lambda, bracket, ref accepted, ref decided);
            }
            if (!TL.AllSet(decided)) break;
            count = TL.AddInt(count, accepted);
            if (offset == 0) (v0, v2) = (a, b);
            else (v1, v3) = (a, b);
            TL.Interleave(ref v0, ref v1, ref v2, ref v3);
            TL.Store(row + y0, v0);
            TL.Store(row + y0 + c, v1);
            TL.Store(row + y0 + 2 * c, v2);
            TL.Store(row + y0 + 3 * c, v3);
        }
        long* lanes = stackalloc long[TL.Count];
        TL.Store((double*)lanes, count);
        for (int l = 0; l < TL.Count; l++) taken += lanes[l];
        return block;
    }

    /// <summary><see cref="StencilRows.NeighbourSum"/> at the C sites from y, added in its order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Neighbours(int rowDims, double* up0, double* down0, double* up1, double* down1, double* up2, double* down2, double* padded, int y)
    {
        TD sum = TL.Add(TL.Load(up0 + y), TL.Load(down0 + y));
        if (rowDims > 1) sum = TL.Add(TL.Add(sum, TL.Load(up1 + y)), TL.Load(down1 + y));
        if (rowDims > 2) sum = TL.Add(TL.Add(sum, TL.Load(up2 + y)), TL.Load(down2 + y));
        return TL.Add(TL.Add(sum, TL.Load(padded + y + 1)), TL.Load(padded + y - 1));
    }

    /// <summary><see cref="Phi4LocalAction.LocalAction"/>: (2d + m²) φ² + λ φ⁴ − 2 φ n, in its order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD LocalAction(TD phi, TD neighbours, TD diagonal, TD lambda)
    {
        TD p2 = TL.Multiply(phi, phi);
        return TL.Subtract(TL.Add(TL.Multiply(diagonal, p2), TL.Multiply(TL.Multiply(lambda, p2), p2)),
            TL.Multiply(TL.Multiply(TL.Broadcast(2.0), phi), neighbours));
    }

    /// <summary>
    /// One hit of the body's Hit in lanes. The action of the current value is carried from the last hit (the same function
    /// of the same numbers as the body's recomputation); the acceptance is the bracketed log test of
    /// <see cref="MetropolisTwins"/>, its open lanes cleared in <paramref name="decided"/> (accepted counts one per lane, as
    /// 64-bit integers).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Hit(ref TD current, ref TD currentAction, TD neighbours, TD wStep, TD wAccept, TD delta, TD diagonal, TD lambda, TD margin,
        ref TD accepted, ref TD decided)
    {
        TD two = TL.Broadcast(2.0), one = TL.Broadcast(1.0);
        TD proposal = TL.Add(current, TL.Multiply(delta, TL.Subtract(TL.Multiply(two, MetropolisTwins.Uniform<TL, TD>(wStep)), one)));
        TD proposalAction = LocalAction(proposal, neighbours, diagonal, lambda);
        TD minusDs = TL.Xor(TL.Subtract(proposalAction, currentAction), TL.Broadcast(-0.0));
        TD log = MetropolisTwins.Log<TL, TD>(MetropolisTwins.Uniform<TL, TD>(wAccept));
        TD accept = TL.LessThan(log, TL.Subtract(minusDs, margin));
        decided = TL.And(decided, TL.Or(accept, TL.GreaterThan(log, TL.Add(minusDs, margin))));
        current = TL.Select(accept, proposal, current);
        currentAction = TL.Select(accept, proposalAction, currentAction);
        accepted = TL.SubtractInt(accepted, accept);
    }
}
