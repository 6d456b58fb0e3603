using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Host SIMD twins of the kernels of an HMC trajectory (issue 16): the momentum step and the force
/// (<see cref="ForceKernel{TV, TA}"/> with <see cref="Phi4LocalAction"/>, step 1: π ← π − ε F, step 0: F into a buffer),
/// the field step (<see cref="FieldKernel{TV}"/>, φ ← φ + ε π) and the Gaussian momenta (<see cref="GaussianKernel{TV}"/>).
/// <para>
/// All three are bit-identical to their bodies, which is what lets <c>--simd off</c> and <c>--simd auto</c> produce the
/// same ensembles byte for byte (DESIGN.md principles 2 and 3): the lanes of a vector run along a lattice row (consecutive
/// y, contiguous in the [chain, x0, …, x_{d−2}, y] layout), and each lane does the body's IEEE operations in the body's
/// order, each rounded once, with no fused multiply-add. The force's neighbour sum is ((φ(x+0̂) + φ(x−0̂)) + … + φ(x+ŷ)) +
/// φ(x−ŷ), the row axes first as in <see cref="StencilRows.NeighbourSum{TV}"/>; the force is
/// ((2(2d + m²))·φ − 2·Σ) + ((4λ·φ)·φ)·φ as in <see cref="Phi4LocalAction.Force"/>. The sites whose y-neighbours wrap
/// around the row (y = 0 and y = Ly − 1) and the tail of a row shorter than a whole vector run the body's own scalar code.
/// </para>
/// <para>
/// The momenta: Philox4x32-10 runs in lanes (<see cref="PhiloxLanes.Generate"/>, one call per site pair, a 64-bit lane
/// per 32-bit word, so each round is two vpmuludq), and so do the 53-bit uniforms (an integer below 2⁵³ converts exactly) and r = scale·√(−2 ln u₁) (√ is
/// correctly rounded, as Math.Sqrt), and so do the body's logarithm, sine and cosine, <see cref="PortableMath"/>, which
/// is built from basic operations so that <see cref="PortableMathLanes"/> can repeat it bit for bit. Items are the
/// bodies' items and write the same outputs, so the results do not depend on the thread count.
/// </para>
/// Other local actions have no vector form here yet: their force kernels run the bodies.
/// </summary>
internal static unsafe class HmcTwins
{
    public static bool Force<TV, TA>(ForceKernel<TV, TA> k, TwinContext context, int items, long sites)
        where TV : struct, IView<double> where TA : struct, ILocalAction
    {
        if (typeof(TA) != typeof(Phi4LocalAction)) return false;
        var s = k.Shape;
        if (s.Ly < 6 || s.RowDims > StencilRows.MaxRowAxes) return false;
        var action = k.Action;
        var args = new ForceKernel<HostView<double>, Phi4LocalAction>(s, Unsafe.As<TA, Phi4LocalAction>(ref action), k.Phi.Host, k.Target.Host, k.Step, k.Epsilon);
        if (context.Level == SimdLevel.Avx512 && s.Ly - 2 >= DoubleLanes8.Count) context.Launcher.Launch(items, sites, new ForceTwin<DoubleLanes8, Vector512<double>>(args));
        else context.Launcher.Launch(items, sites, new ForceTwin<DoubleLanes4, Vector256<double>>(args));
        return true;
    }

    public static bool Field<TV>(FieldKernel<TV> k, TwinContext context, int items, long sites) where TV : struct, IView<double>
    {
        if (k.Width < DoubleLanes4.Count) return false;
        var args = new FieldKernel<HostView<double>>(k.Phi.Host, k.Pi.Host, k.Epsilon, k.Width);
        if (context.Level == SimdLevel.Avx512 && k.Width >= DoubleLanes8.Count) context.Launcher.Launch(items, sites, new FieldTwin<DoubleLanes8, Vector512<double>>(args));
        else context.Launcher.Launch(items, sites, new FieldTwin<DoubleLanes4, Vector256<double>>(args));
        return true;
    }

    public static bool Gaussian<TV>(GaussianKernel<TV> k, TwinContext context, int items, long sites) where TV : struct, IView<double>
    {
        if (k.Width < 2 * DoubleLanes4.Count) return false;
        var args = new GaussianKernel<HostView<double>>(k.Target.Host, k.Volume, k.Width, k.Key, k.Step, k.Stream, k.Scale);
        if (context.Level == SimdLevel.Avx512 && k.Width >= 2 * DoubleLanes8.Count) context.Launcher.Launch(items, sites, new GaussianTwin<DoubleLanes8, Vector512<double>>(args));
        else context.Launcher.Launch(items, sites, new GaussianTwin<DoubleLanes4, Vector256<double>>(args));
        return true;
    }
}

/// <summary>One item of <see cref="ForceKernel{TV, TA}"/> for φ⁴: its sites of one row, in vectors (see <see cref="HmcTwins"/>).</summary>
internal readonly unsafe struct ForceTwin<TL, TD>(ForceKernel<HostView<double>, Phi4LocalAction> a) : IKernel
    where TL : struct, IDoubleLanes<TD> where TD : unmanaged
{
    private readonly ForceKernel<HostView<double>, Phi4LocalAction> _a = a;

    public void Execute(int item)
    {
        var s = _a.Shape;
        s.Locate(item, out int b, out int x, out int y0);
        var rows = new StencilRows(s, b, x);
        int end = y0 + s.Width, y = y0, vectorEnd = Math.Min(end, s.Ly - 1);
        if (y == 0) Scalar(s, rows, y++);
        if (y < vectorEnd) y = Vectors(s, rows, y, vectorEnd);
        for (; y < end; y++) Scalar(s, rows, y);
    }

    // Sites [y, end) with 1 ≤ y and end ≤ Ly − 1, whole vectors only; returns the first site left.
    private int Vectors(LatticeShape s, StencilRows rows, int y, int end)
    {
        var a = _a;
        double* phi = a.Phi.Pointer, target = a.Target.Pointer;
        double* row = phi + rows.Row, up0 = phi + rows.Up0, down0 = phi + rows.Down0, up1 = phi + rows.Up1, down1 = phi + rows.Down1;
        double* up2 = phi + rows.Up2, down2 = phi + rows.Down2, t = target + rows.Row;
        TD diagonal2 = TL.Broadcast(2.0 * a.Action.Diagonal), two = TL.Broadcast(2.0), lambda4 = TL.Broadcast(4.0 * a.Action.Lambda);
        TD epsilon = TL.Broadcast(a.Epsilon);
        bool momenta = a.Step != 0;
        for (; y + TL.Count <= end; y += TL.Count)
        {
            TD sum = TL.Add(TL.Load(up0 + y), TL.Load(down0 + y));
            if (s.RowDims > 1) sum = TL.Add(TL.Add(sum, TL.Load(up1 + y)), TL.Load(down1 + y));
            if (s.RowDims > 2) sum = TL.Add(TL.Add(sum, TL.Load(up2 + y)), TL.Load(down2 + y));
            sum = TL.Add(TL.Add(sum, TL.Load(row + y + 1)), TL.Load(row + y - 1));
            TD p = TL.Load(row + y);
            TD force = TL.Add(TL.Subtract(TL.Multiply(diagonal2, p), TL.Multiply(two, sum)), TL.Multiply(TL.Multiply(TL.Multiply(lambda4, p), p), p));
            TL.Store(t + y, momenta ? TL.Subtract(TL.Load(t + y), TL.Multiply(epsilon, force)) : force);
        }
        return y;
    }

    // The body, at one site.
    private void Scalar(LatticeShape s, StencilRows rows, int y)
    {
        var a = _a;
        var phi = a.Phi;
        double force = a.Action.Force(phi[rows.Row + y], rows.NeighbourSum(s, phi, y));
        a.Target[rows.Row + y] = a.Step == 0 ? force : a.Target[rows.Row + y] - a.Epsilon * force;
    }
}

/// <summary>One item of <see cref="FieldKernel{TV}"/>: φ ← φ + ε π over its sites, in vectors, the tail as the body.</summary>
internal readonly unsafe struct FieldTwin<TL, TD>(FieldKernel<HostView<double>> a) : IKernel
    where TL : struct, IDoubleLanes<TD> where TD : unmanaged
{
    private readonly FieldKernel<HostView<double>> _a = a;

    public void Execute(int item)
    {
        var a = _a;
        double* phi = a.Phi.Pointer, pi = a.Pi.Pointer;
        int start = item * a.Width, end = start + a.Width, i = start;
        TD epsilon = TL.Broadcast(a.Epsilon);
        for (; i + TL.Count <= end; i += TL.Count) TL.Store(phi + i, TL.Add(TL.Load(phi + i), TL.Multiply(epsilon, TL.Load(pi + i))));
        for (; i < end; i++) phi[i] += a.Epsilon * pi[i];
    }
}

/// <summary>
/// One item of <see cref="GaussianKernel{TV}"/>: Box–Muller over whole site pairs, Philox, the uniforms and the radius in
/// lanes, the logarithm, cosine and sine too (<see cref="PortableMathLanes"/>); a lone odd first site, pairs left over and a lone even last site run the body's scalar code.
/// </summary>
internal readonly unsafe struct GaussianTwin<TL, TD>(GaussianKernel<HostView<double>> a) : IKernel
    where TL : struct, IDoubleLanes<TD> where TD : unmanaged
{
    private readonly GaussianKernel<HostView<double>> _a = a;

    public void Execute(int item)
    {
        var a = _a;
        int start = item * a.Width, end = start + a.Width, b = start / a.Volume, i = start;
        TD* roundKeys = stackalloc TD[20];
        PhiloxLanes.RoundKeys<TL, TD>(a.Key, roundKeys);
        while (i < end)
        {
            int site = i - b * a.Volume;
            if ((site & 1) == 0 && i + 4 * TL.Count <= end)
            {
                // Two blocks' Philox calls interleaved: each call is a serial chain of ten rounds of multiplies.
                TD first = TL.AddInt(TL.BroadcastBits((uint)(site >> 1)), TL.LaneIndex);
                PhiloxLanes.Generate2<TL, TD>(first, TL.AddInt(first, TL.BroadcastBits((uint)TL.Count)), TL.BroadcastBits((uint)b),
                    TL.BroadcastBits(a.Step), TL.BroadcastBits(a.Stream), roundKeys, out var w0, out var w1);
                Normals(w0, a.Target.Pointer + i);
                Normals(w1, a.Target.Pointer + i + 2 * TL.Count);
                i += 4 * TL.Count;
            }
            else if ((site & 1) == 0 && i + 2 * TL.Count <= end)
            {
                Pairs(b, site, a.Target.Pointer + i, roundKeys);
                i += 2 * TL.Count;
            }
            else i = a.Normals(b, i, end);
        }
    }

    // Sites site … site + 2·Count − 1 (site even) into t: one Philox call per pair, pair j in lane j.
    private void Pairs(int chain, int site, double* t, TD* roundKeys)
    {
        var a = _a;
        var w = new PhiloxWords<TD>(TL.AddInt(TL.BroadcastBits((uint)(site >> 1)), TL.LaneIndex), TL.BroadcastBits((uint)chain),
            TL.BroadcastBits(a.Step), TL.BroadcastBits(a.Stream));
        PhiloxLanes.Generate<TL, TD>(ref w, roundKeys);
        Normals(w, t);
    }

    // Box–Muller of one call's words per lane: 2·Count normals into t, pair j's two at t[2j], t[2j + 1].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Normals(in PhiloxWords<TD> w, double* t)
    {
        var a = _a;
        TD log = PortableMathLanes.Log<TL, TD>(PhiloxLanes.Uniform53<TL, TD>(w.X0, w.X1));
        TD radius = TL.Multiply(TL.Broadcast(a.Scale), TL.Sqrt(TL.Multiply(TL.Broadcast(-2.0), log)));
        PortableMathLanes.SinCosTwoPi<TL, TD>(PhiloxLanes.Uniform53<TL, TD>(w.X2, w.X3), out var sin, out var cos);
        TD even = TL.Multiply(radius, cos), odd = TL.Multiply(radius, sin);
        TL.Zip(ref even, ref odd);
        TL.Store(t, even);
        TL.Store(t + TL.Count, odd);
    }
}
