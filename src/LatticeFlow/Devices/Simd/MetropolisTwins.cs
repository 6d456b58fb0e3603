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
/// a vector Philox call (<see cref="PhiloxLanes.Generate2"/>, two calls interleaved) then draws pair l's words,
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
/// 2·Margin = 10⁻⁶ of hits, since ln u has density u ≤ 1) leave their block, and the block run beside it, as they were:
/// the body runs the first of the two, and the lanes take up again from the next.
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

    /// <summary>Ten rounds' two keys in 512-bit lanes, in doubles: room for either lane width.</summary>
    private const int RoundKeyDoubles = 20 * 8;

    public static bool Update<TV, TA>(MetropolisKernel<TV, TA> k, TwinContext context, int items, long sites)
        where TV : struct, IView<double> where TA : struct, ILocalAction
    {
        var s = k.Shape;
        if (typeof(TA) != typeof(Phi4LocalAction) || s.Width != s.Ly / 2 || s.Ly > MaxRow || s.RowDims > StencilRows.MaxRowAxes) return false;
        int pairs = s.Ly / 4, lanes = context.Level == SimdLevel.Avx512 && pairs >= 8 ? 8 : 4;
        if (pairs < lanes) return false;
        var action = k.Action;
        var body = new MetropolisKernel<HostView<double>, Phi4LocalAction>(s, Unsafe.As<TA, Phi4LocalAction>(ref action), k.Phi.Host,
            k.Accepted.Host, k.Key, k.Sweep, k.Parity, k.Delta, k.Hits);
        // Philox's round keys in lanes, once per launch: the same for every row.
        double* roundKeys = (double*)context.Scratch(2 * RoundKeyDoubles); // Scratch counts floats
        if (lanes == 8)
        {
            PhiloxLanes.RoundKeys<DoubleLanes8, Vector512<double>>(k.Key, (Vector512<double>*)roundKeys);
            context.Launcher.Launch(items, sites, new MetropolisTwin<DoubleLanes8, Vector512<double>>(body, Margin, roundKeys));
        }
        else
        {
            PhiloxLanes.RoundKeys<DoubleLanes4, Vector256<double>>(k.Key, (Vector256<double>*)roundKeys);
            context.Launcher.Launch(items, sites, new MetropolisTwin<DoubleLanes4, Vector256<double>>(body, Margin, roundKeys));
        }
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
}

/// <summary>
/// One block of C pairs in lanes (<see cref="MetropolisTwin{TL, TD}"/>): the row's four phases, the neighbour sums and
/// actions of the two sites of each pair (A: colour index 2p, B: 2p + 1), its first Philox site word, accepted hits per
/// lane and the lanes whose every decision the bracket settled.
/// </summary>
internal struct BlockLanes<TD> where TD : unmanaged
{
    public TD V0, V1, V2, V3, NeighboursA, NeighboursB, A, B, ActionA, ActionB, Site, Accepted, Decided;
}

/// <summary>
/// One row per item (see <see cref="MetropolisTwins"/>): whole blocks of C pairs in lanes, the rest in the body.
/// <paramref name="margin"/> is <see cref="MetropolisTwins.Margin"/>; tests widen it to send every block to the body.
/// <paramref name="roundKeys"/> holds <see cref="PhiloxLanes.RoundKeys"/> of the body's key, for every row.
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct MetropolisTwin<TL, TD>(MetropolisKernel<HostView<double>, Phi4LocalAction> body, double margin, double* roundKeys) : IKernel
    where TL : struct, IDoubleLanes<TD> where TD : unmanaged
{
    private readonly MetropolisKernel<HostView<double>, Phi4LocalAction> _body = body;
    private readonly double _margin = margin;
    private readonly TD* _roundKeys = (TD*)roundKeys;

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
        TD* roundKeys = _roundKeys;
        long taken = 0;
        // A block where some lane's log u lies within the margin of −ΔS is left as it was and run by the body.
        for (int block = 0; ; block++)
        {
            block = Blocks(k, rows, chain, r, padded + 1, roundKeys, block, blocks, _margin, ref taken);
            if (block >= blocks) break;
            taken += k.Update(item, 2 * c * block, 2 * c * (block + 1));
        }
        // The pairs after the last whole block, if any (the body's call would locate the row again for none).
        if (2 * c * blocks < s.Width) taken += k.Update(item, 2 * c * blocks, s.Width);
        k.Accepted.Pointer[item] += taken;
    }

    /// <summary>
    /// The hits on blocks <paramref name="first"/> … of the row (4C sites each), their acceptances added to
    /// <paramref name="taken"/>, two blocks at a time (two independent chains of dependent operations for the core to
    /// overlap; an odd last block runs as a pair with itself, stored and counted once), up to the first pair whose decisions
    /// the bracket leaves open (not written back): the index of its first block, or at least <paramref name="blocks"/>.
    /// </summary>
    private static int Blocks(in MetropolisKernel<HostView<double>, Phi4LocalAction> k, in StencilRows rows, int chain, int r, double* padded,
        TD* roundKeys, int first, int blocks, double margin, ref long taken)
    {
        var s = k.Shape;
        var action = k.Action;
        int c = TL.Count, ly = s.Ly, offset = (rows.CoordinateSum + k.Parity) & 1, hits = k.Hits;
        double* phi = k.Phi.Pointer;
        TD chainLanes = TL.BroadcastBits((uint)chain), step = TL.BroadcastBits(k.Sweep), count = TL.BroadcastBits(0);
        TD delta = TL.Broadcast(k.Delta), bracket = TL.Broadcast(margin), diagonal = TL.Broadcast(action.Diagonal), lambda = TL.Broadcast(action.Lambda);
        int block = first;
        for (; block < blocks; block += 2)
        {
            int other = Math.Min(block + 1, blocks - 1);
            Open(out var x, s, rows, phi, padded, offset, r * ly, block, diagonal, lambda);
            Open(out var y, s, rows, phi, padded, offset, r * ly, other, diagonal, lambda);
            Hits(ref x, ref y, roundKeys, chainLanes, step, delta, diagonal, lambda, bracket, hits, k.Parity);
            if (!TL.AllSet(TL.And(x.Decided, y.Decided))) break;
            count = TL.AddInt(count, x.Accepted);
            Close(ref x, phi + rows.Row, offset, block);
            if (other == block) continue;
            count = TL.AddInt(count, y.Accepted);
            Close(ref y, phi + rows.Row, offset, other);
        }
        long* lanes = stackalloc long[TL.Count];
        TL.Store((double*)lanes, count);
        for (int l = 0; l < TL.Count; l++) taken += lanes[l];
        return block;
    }

    /// <summary>
    /// The hits on two blocks. A method of its own: inlined into <see cref="Blocks"/>, it took the JIT past its inlining
    /// budget, and the lane operations after that point became calls. Optimised at once: its tier-0 code, with every lane
    /// operation a call, would otherwise run until the tiering thread gets to it, seconds on a loaded machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Hits(ref BlockLanes<TD> x, ref BlockLanes<TD> y, TD* roundKeys, TD chainLanes, TD step, TD delta, TD diagonal, TD lambda,
        TD bracket, int hits, int parity)
    {
        for (int h = 0; h < hits; h++)
        {
            TD stream = TL.BroadcastBits(RngStream.Metropolis + (uint)(2 * h + parity));
            PhiloxLanes.Generate2<TL, TD>(x.Site, y.Site, chainLanes, step, stream, roundKeys, out var wx, out var wy);
            Hit(ref x.A, ref x.ActionA, x.NeighboursA, wx.X0, wx.X1, delta, diagonal, lambda, bracket, ref x.Accepted, ref x.Decided);
            Hit(ref y.A, ref y.ActionA, y.NeighboursA, wy.X0, wy.X1, delta, diagonal, lambda, bracket, ref y.Accepted, ref y.Decided);
            Hit(ref x.B, ref x.ActionB, x.NeighboursB, wx.X2, wx.X3, delta, diagonal, lambda, bracket, ref x.Accepted, ref x.Decided);
            Hit(ref y.B, ref y.ActionB, y.NeighboursB, wy.X2, wy.X3, delta, diagonal, lambda, bracket, ref y.Accepted, ref y.Decided);
        }
    }

    /// <summary>Loads block <paramref name="block"/> of the row: its phases, the neighbour sums and actions of its A and B sites.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Open(out BlockLanes<TD> x, in LatticeShape s, in StencilRows rows, double* phi, double* padded, int offset, int rowSite, int block,
        TD diagonal, TD lambda)
    {
        int c = TL.Count, y0 = 4 * c * block;
        TD n0 = Neighbours(s, rows, phi, padded, y0), n1 = Neighbours(s, rows, phi, padded, y0 + c);
        TD n2 = Neighbours(s, rows, phi, padded, y0 + 2 * c), n3 = Neighbours(s, rows, phi, padded, y0 + 3 * c);
        TL.Deinterleave(ref n0, ref n1, ref n2, ref n3);
        double* row = phi + rows.Row + y0;
        TD v0 = TL.Load(row), v1 = TL.Load(row + c), v2 = TL.Load(row + 2 * c), v3 = TL.Load(row + 3 * c);
        TL.Deinterleave(ref v0, ref v1, ref v2, ref v3);
        // Every field assigned once, no `x = default` first: that was a call to the JIT's memory-zeroing helper per block.
        x.V0 = v0;
        x.V1 = v1;
        x.V2 = v2;
        x.V3 = v3;
        x.NeighboursA = offset == 0 ? n0 : n1;
        x.NeighboursB = offset == 0 ? n2 : n3;
        x.A = offset == 0 ? v0 : v1;
        x.B = offset == 0 ? v2 : v3;
        x.ActionA = LocalAction(x.A, x.NeighboursA, diagonal, lambda);
        x.ActionB = LocalAction(x.B, x.NeighboursB, diagonal, lambda);
        x.Site = TL.AddInt(TL.BroadcastBits((uint)(rowSite + block * c)), TL.LaneIndex);
        x.Accepted = TL.BroadcastBits(0);
        x.Decided = TL.BroadcastBits(ulong.MaxValue);
    }

    /// <summary>Writes block <paramref name="block"/> back: its A and B sites into their phases, the phases interleaved into the row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Close(ref BlockLanes<TD> x, double* row, int offset, int block)
    {
        int c = TL.Count;
        if (offset == 0) (x.V0, x.V2) = (x.A, x.B);
        else (x.V1, x.V3) = (x.A, x.B);
        TL.Interleave(ref x.V0, ref x.V1, ref x.V2, ref x.V3);
        row += 4 * c * block;
        TL.Store(row, x.V0);
        TL.Store(row + c, x.V1);
        TL.Store(row + 2 * c, x.V2);
        TL.Store(row + 3 * c, x.V3);
    }

    /// <summary><see cref="StencilRows.NeighbourSum"/> at the C sites from y, added in its order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Neighbours(in LatticeShape s, in StencilRows rows, double* phi, double* padded, int y)
    {
        TD sum = TL.Add(TL.Load(phi + rows.Up0 + y), TL.Load(phi + rows.Down0 + y));
        if (s.RowDims > 1) sum = TL.Add(TL.Add(sum, TL.Load(phi + rows.Up1 + y)), TL.Load(phi + rows.Down1 + y));
        if (s.RowDims > 2) sum = TL.Add(TL.Add(sum, TL.Load(phi + rows.Up2 + y)), TL.Load(phi + rows.Down2 + y));
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
        TD proposal = TL.Add(current, TL.Multiply(delta, TL.Subtract(TL.Multiply(two, PhiloxLanes.Uniform<TL, TD>(wStep)), one)));
        TD proposalAction = LocalAction(proposal, neighbours, diagonal, lambda);
        TD minusDs = TL.Xor(TL.Subtract(proposalAction, currentAction), TL.Broadcast(-0.0));
        TD log = MetropolisTwins.Log<TL, TD>(PhiloxLanes.Uniform<TL, TD>(wAccept));
        TD accept = TL.LessThan(log, TL.Subtract(minusDs, margin));
        decided = TL.And(decided, TL.Or(accept, TL.GreaterThan(log, TL.Add(minusDs, margin))));
        current = TL.Select(accept, proposal, current);
        currentAction = TL.Select(accept, proposalAction, currentAction);
        accepted = TL.SubtractInt(accepted, accept);
    }
}
