using System.Runtime.CompilerServices;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// <see cref="SplineTransform"/> in lanes (<see cref="ICouplingLanes{TT}"/>), bit-identical to the body per lane:
/// <see cref="RationalQuadraticSpline"/>'s float operations in its order, and its double-precision steps (exp, log,
/// the sigmoid; <see cref="PortableMath"/> in the body) by <see cref="PortableMathLanes"/> through
/// <see cref="ILanes{TV}.MapDouble"/>. What the body decides per site by branches is done here by selects:
/// <list type="bullet">
/// <item>the mirror (x &gt; 0 runs −g(−x; P p)): each logit and slope is read from both its channel and its mirror
/// channel and the lane's flip chooses;</item>
/// <item>the bin: every knot is computed (the body computes the same sums, in the same order, as it walks to the bin
/// and again for the other block's knots), and <see cref="Locate"/> repeats the body's sequence of comparisons, the
/// first that holds deciding, so that a value on a knot lands in the body's bin;</item>
/// <item>the derivatives δ_k, δ_{k+1}: the slopes of the lane's bin are selected before the softplus, which then runs
/// twice per site, as in the body;</item>
/// <item>the nearer knot (forward ξ ≤ ½, inverse y − y_k ≤ y_{k+1} − y): both forms are computed and one selected;</item>
/// <item>the tails |x| ≥ B and the frozen sites: masks (x passes, log J = 0, no parameter gradient).</item>
/// </list>
/// The parameter gradients are written as the body leaves them, 0 + g (so a −0 becomes +0, as its cleared gradient
/// plus one addend does). Exp, log and sigmoid run on two double vectors per float vector; per site, forward and inverse
/// take 2K + 2 exponentials and 3 logarithms in double, backward 2K + 4 and 2 (the body about 4K exponentials: it
/// recomputes each e^{a_j} where it needs it).
/// Its scratch (knots, exponentials, gradients; stackalloc) is written in full before it is read, so it is not zeroed.
/// Tests: tests/LatticeFlow.Tests/Devices/CouplingTwinTests.cs (bit for bit against the body).
/// </summary>
[SkipLocalsInit]
internal readonly unsafe struct SplineLanes : ICouplingLanes<SplineTransform>
{
    public static TV Transform<TL, TV>(SplineTransform transform, TV x, float* net, int volume, bool inverse, out TV logJ)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        int bins = transform.Bins;
        float bound = transform.Bound;
        TV flip = TL.GreaterThanZero(x);
        TV v = TL.Select(flip, TL.Negate(x), x);
        TV* searched = stackalloc TV[bins + 1];
        TV* other = stackalloc TV[bins + 1];
        TV* e = stackalloc TV[bins];
        // Forward searches the widths' knots (block 0) for x, inverse the heights' (block 1) for y.
        Knots<TL, TV>(net, volume, bins, bound, inverse ? 1 : 0, flip, searched, e, out _);
        Knots<TL, TV>(net, volume, bins, bound, inverse ? 0 : 1, flip, other, e, out _);
        TV bin = Locate<TL, TV>(searched, bins, v);
        Pick<TL, TV>(searched, bins, bin, out TV lo, out TV hi);
        Pick<TL, TV>(other, bins, bin, out TV otherLo, out TV otherHi);
        Derivatives<TL, TV>(net, volume, bins, flip, bin, out TV d0, out TV d1, out _, out _);
        TV result, lj;
        if (!inverse)
        {
            TV w = TL.Subtract(hi, lo), h = TL.Subtract(otherHi, otherLo), s = TL.Divide(h, w);
            TV xi = TL.Divide(TL.Subtract(v, lo), w);
            lj = LogDerivative<TL, TV>(s, d0, d1, xi);
            TV fromLeft = TL.Add(otherLo, TL.Multiply(h, Rise<TL, TV>(s, d0, d1, xi)));
            TV fromRight = TL.Subtract(otherHi, TL.Multiply(h, Rise<TL, TV>(s, d1, d0, TL.Subtract(TL.Broadcast(1f), xi))));
            result = TL.Select(TL.LessThanOrEqual(xi, TL.Broadcast(0.5f)), fromLeft, fromRight);
        }
        else
        {
            TV w = TL.Subtract(otherHi, otherLo), h = TL.Subtract(hi, lo), s = TL.Divide(h, w);
            TV dyLeft = TL.Subtract(v, lo), dyRight = TL.Subtract(hi, v);
            TV left = TL.LessThanOrEqual(dyLeft, dyRight);
            TV xi = Solve<TL, TV>(h, s, d0, d1, dyLeft), xr = Solve<TL, TV>(h, s, d1, d0, dyRight);
            lj = LogDerivative<TL, TV>(s, d0, d1, TL.Select(left, xi, TL.Subtract(TL.Broadcast(1f), xr)));
            result = TL.Select(left, TL.Add(otherLo, TL.Multiply(xi, w)), TL.Subtract(otherHi, TL.Multiply(xr, w)));
        }
        TV inside = Inside<TL, TV>(v, bound);
        logJ = TL.And(lj, inside);
        return TL.Select(inside, TL.Select(flip, TL.Negate(result), result), x);
    }

    public static TV Backward<TL, TV>(SplineTransform transform, TV x, float* net, int volume, TV g, TV gl, TV active, float* grad)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        int bins = transform.Bins;
        float bound = transform.Bound;
        TV flip = TL.GreaterThanZero(x);
        TV v = TL.Select(flip, TL.Negate(x), x), gy = TL.Select(flip, TL.Negate(g), g);
        TV* xs = stackalloc TV[bins + 1];
        TV* ys = stackalloc TV[bins + 1];
        TV* ew = stackalloc TV[bins];
        TV* eh = stackalloc TV[bins];
        TV* logical = stackalloc TV[bins];
        Knots<TL, TV>(net, volume, bins, bound, 0, flip, xs, ew, out TV scaleW);
        Knots<TL, TV>(net, volume, bins, bound, 1, flip, ys, eh, out TV scaleH);
        TV bin = Locate<TL, TV>(xs, bins, v);
        Pick<TL, TV>(xs, bins, bin, out TV x0, out TV x1);
        Pick<TL, TV>(ys, bins, bin, out TV y0, out TV y1);
        Derivatives<TL, TV>(net, volume, bins, flip, bin, out TV d0, out TV d1, out TV slope0, out TV slope1);

        TV one = TL.Broadcast(1f), two = TL.Broadcast(2f);
        TV w = TL.Subtract(x1, x0), h = TL.Subtract(y1, y0), s = TL.Divide(h, w);
        TV xi = TL.Divide(TL.Subtract(v, x0), w), u = TL.Subtract(one, xi), t = TL.Multiply(xi, u);
        TV sum = TL.Subtract(TL.Add(d0, d1), TL.Multiply(two, s));
        TV den = TL.Add(s, TL.Multiply(sum, t)), den2 = TL.Multiply(den, den);
        TV xi2 = TL.Multiply(xi, xi);
        TV num = TL.Add(TL.Multiply(TL.Multiply(s, xi), xi), TL.Multiply(d0, t));
        TV m = TL.Add(TL.Add(TL.Multiply(TL.Multiply(d1, xi), xi), TL.Multiply(TL.Multiply(two, s), t)), TL.Multiply(TL.Multiply(d0, u), u));
        TV oneLess2Xi = TL.Subtract(one, TL.Multiply(two, xi)), oneLess2T = TL.Subtract(one, TL.Multiply(two, t));
        TV twoTOverDen = TL.Divide(TL.Multiply(two, t), den);

        // RationalQuadraticSpline.Backward's formulas, operation for operation.
        TV gXi = TL.Add(TL.Multiply(gy, TL.Divide(TL.Multiply(TL.Multiply(h, s), m), den2)),
            TL.Multiply(gl, TL.Subtract(
                TL.Divide(TL.Subtract(TL.Add(TL.Multiply(TL.Multiply(two, d1), xi), TL.Multiply(TL.Multiply(two, s), oneLess2Xi)), TL.Multiply(TL.Multiply(two, d0), u)), m),
                TL.Divide(TL.Multiply(TL.Multiply(two, sum), oneLess2Xi), den))));
        TV gS = TL.Add(TL.Multiply(gy, TL.Divide(TL.Multiply(h, TL.Subtract(TL.Multiply(xi2, den), TL.Multiply(num, oneLess2T))), den2)),
            TL.Multiply(gl, TL.Subtract(TL.Add(TL.Divide(two, s), TL.Divide(TL.Multiply(two, t), m)), TL.Divide(TL.Multiply(two, oneLess2T), den))));
        TV ht = TL.Multiply(h, t);
        TV gD0 = TL.Add(TL.Multiply(gy, TL.Divide(TL.Multiply(ht, TL.Subtract(den, num)), den2)),
            TL.Multiply(gl, TL.Subtract(TL.Divide(TL.Multiply(u, u), m), twoTOverDen)));
        TV gD1 = TL.Add(TL.Multiply(TL.Negate(gy), TL.Divide(TL.Multiply(ht, num), den2)),
            TL.Multiply(gl, TL.Subtract(TL.Divide(xi2, m), twoTOverDen)));
        TV gH = TL.Add(TL.Multiply(gy, TL.Divide(num, den)), TL.Divide(gS, w));
        TV gW = TL.Divide(TL.Negate(TL.Add(TL.Multiply(gXi, xi), TL.Multiply(gS, s))), w);
        TV gX0 = TL.Divide(TL.Negate(gXi), w);

        TV inside = Inside<TL, TV>(v, bound), keep = TL.And(active, inside);
        Distribute<TL, TV>(ew, bins, bound, RationalQuadraticSpline.MinBinWidth, bin, scaleW, TL.Subtract(gX0, gW), gW, logical);
        StoreMirrored<TL, TV>(grad, volume, bins, 0, flip, keep, logical);
        Distribute<TL, TV>(eh, bins, bound, RationalQuadraticSpline.MinBinHeight, bin, scaleH, TL.Subtract(gy, gH), gH, logical);
        StoreMirrored<TL, TV>(grad + bins * volume, volume, bins, 0, flip, keep, logical);
        // δ_k = m_δ + softplus(u_k + c): ∂δ/∂u = sigmoid(u_k + c), for the bin's two knots (the ends have none).
        TV gSlope0 = TL.Multiply(gD0, Sigmoid<TL, TV>(slope0)), gSlope1 = TL.Multiply(gD1, Sigmoid<TL, TV>(slope1));
        for (int k = 1; k < bins; k++)
            logical[k] = TL.Select(TL.Equal(bin, TL.Broadcast(k)), gSlope0, TL.And(gSlope1, TL.Equal(bin, TL.Broadcast(k - 1))));
        // Interior knot k is channel 2K + k − 1, its mirror 2K + (K − k) − 1.
        StoreMirrored<TL, TV>(grad + (2 * bins - 1) * volume, volume, bins, 1, flip, keep, logical);

        TV gx = TL.Divide(gXi, w);
        return TL.Select(inside, TL.Select(flip, TL.Negate(gx), gx), g);
    }

    /// <summary>
    /// The knots of one block (widths 0, heights 1) as <see cref="RationalQuadraticSpline"/> computes them: the logits
    /// a_j (read reversed in the flipped lanes), e_j = e^{a_j − max} into <paramref name="e"/>, scale = (1 − K m)/Σ e
    /// summed over mirror pairs, shares m + scale·e_j, the lower knots summed from −B up, the upper from B down, the middle
    /// one (K even) from both sums.
    /// </summary>
    private static void Knots<TL, TV>(float* net, int volume, int bins, float bound, int block, TV flip, TV* knots, TV* e, out TV scale)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        float* first = net + block * bins * volume;
        TV max = default;
        for (int j = 0; j < bins; j++)
        {
            e[j] = TL.Select(flip, TL.Load(first + (bins - 1 - j) * volume), TL.Load(first + j * volume));
            max = j == 0 ? e[j] : TL.Max(max, e[j]);
        }
        for (int j = 0; j < bins; j++) e[j] = Exp<TL, TV>(TL.Subtract(e[j], max));
        TV sum = TL.Zero;
        for (int j = 0; j < bins - 1 - j; j++) sum = TL.Add(sum, TL.Add(e[j], e[bins - 1 - j]));
        if (bins % 2 == 1) sum = TL.Add(sum, e[bins / 2]);
        float minBin = block == 0 ? RationalQuadraticSpline.MinBinWidth : RationalQuadraticSpline.MinBinHeight;
        scale = TL.Divide(TL.Broadcast(1f - bins * minBin), sum);

        TV m = TL.Broadcast(minBin), twoB = TL.Broadcast(2f * bound), below = TL.Zero, above = TL.Zero;
        knots[0] = TL.Broadcast(-bound);
        knots[bins] = TL.Broadcast(bound);
        for (int k = 1; 2 * k < bins; k++)
        {
            below = TL.Add(below, Share(m, scale, e[k - 1]));
            knots[k] = TL.Add(TL.Broadcast(-bound), TL.Multiply(twoB, below));
        }
        for (int k = bins - 1; 2 * k > bins; k--)
        {
            above = TL.Add(above, Share(m, scale, e[k]));
            knots[k] = TL.Subtract(TL.Broadcast(bound), TL.Multiply(twoB, above));
        }
        if (bins % 2 == 0)
        {
            below = TL.Add(below, Share(m, scale, e[bins / 2 - 1]));
            above = TL.Add(above, Share(m, scale, e[bins / 2]));
            knots[bins / 2] = TL.Multiply(TL.Broadcast(bound), TL.Subtract(below, above));
        }

        // RationalQuadraticSpline.Share: bin j's share of the interval, m + scale·e_j.
        static TV Share(TV m, TV scale, TV e) => TL.Add(m, TL.Multiply(scale, e));
    }

    /// <summary>The bin (as a float) by the body's comparisons in its order: lower knots up, upper knots down, the middle.</summary>
    private static TV Locate<TL, TV>(TV* knots, int bins, TV v) where TL : struct, ILanes<TV> where TV : unmanaged
    {
        TV found = TL.Zero, bin = TL.Zero;
        for (int k = 1; 2 * k < bins; k++)
        {
            TV hit = TL.AndNot(TL.LessThan(v, knots[k]), found);
            bin = TL.Select(hit, TL.Broadcast(k - 1), bin);
            found = TL.Or(found, hit);
        }
        for (int k = bins - 1; 2 * k > bins; k--)
        {
            TV hit = TL.AndNot(TL.GreaterThanOrEqual(v, knots[k]), found);
            bin = TL.Select(hit, TL.Broadcast(k), bin);
            found = TL.Or(found, hit);
        }
        TV middle = bins % 2 == 1 ? TL.Broadcast(bins / 2)
            : TL.Select(TL.LessThan(v, knots[bins / 2]), TL.Broadcast(bins / 2 - 1), TL.Broadcast(bins / 2));
        return TL.Select(found, bin, middle);
    }

    /// <summary>knot_bin and knot_{bin+1} per lane.</summary>
    private static void Pick<TL, TV>(TV* knots, int bins, TV bin, out TV lo, out TV hi) where TL : struct, ILanes<TV> where TV : unmanaged
    {
        lo = knots[0];
        hi = knots[1];
        for (int k = 1; k < bins; k++)
        {
            TV at = TL.Equal(bin, TL.Broadcast(k));
            lo = TL.Select(at, knots[k], lo);
            hi = TL.Select(at, knots[k + 1], hi);
        }
    }

    /// <summary>
    /// δ_bin and δ_{bin+1} (1 at the ends, m_δ + softplus(u_k + c) inside), and the softplus arguments u_k + c of the two
    /// (garbage where δ is an end's 1) for the backward's sigmoid.
    /// </summary>
    private static void Derivatives<TL, TV>(float* net, int volume, int bins, TV flip, TV bin, out TV d0, out TV d1, out TV slope0, out TV slope1)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        float* slopes = net + 2 * bins * volume;
        TV u0 = TL.Zero, u1 = TL.Zero;
        for (int k = 1; k < bins; k++)
        {
            TV u = TL.Select(flip, TL.Load(slopes + (bins - k - 1) * volume), TL.Load(slopes + (k - 1) * volume));
            u0 = TL.Select(TL.Equal(bin, TL.Broadcast(k)), u, u0);
            u1 = TL.Select(TL.Equal(bin, TL.Broadcast(k - 1)), u, u1);
        }
        TV shift = TL.Broadcast(RationalQuadraticSpline.SlopeShift), minimum = TL.Broadcast(RationalQuadraticSpline.MinDerivative), one = TL.Broadcast(1f);
        slope0 = TL.Add(u0, shift);
        slope1 = TL.Add(u1, shift);
        d0 = TL.Select(TL.Equal(bin, TL.Zero), one, TL.Add(minimum, Softplus<TL, TV>(slope0)));
        d1 = TL.Select(TL.Equal(bin, TL.Broadcast(bins - 1)), one, TL.Add(minimum, Softplus<TL, TV>(slope1)));
    }

    /// <summary>
    /// ∂L/∂a_i = 2B·scale·e_i (G_i − dot) for every bin i into <paramref name="g"/>, with G_i = gLo [i &lt; k] + gHi [i ≤ k]
    /// and dot = (gLo Σ_{j&lt;k} scale e_j + gHi Σ_{j≤k} scale e_j)/(1 − K m), the masked terms adding +0 where the body's
    /// loop stops at k.
    /// </summary>
    private static void Distribute<TL, TV>(TV* e, int bins, float bound, float minBin, TV bin, TV scale, TV gLo, TV gHi, TV* g)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        TV below = TL.Zero, upTo = TL.Zero;
        for (int j = 0; j < bins; j++)
        {
            TV share = TL.Multiply(scale, e[j]), at = TL.Broadcast(j);
            below = TL.Add(below, TL.And(share, TL.GreaterThan(bin, at)));
            upTo = TL.Add(upTo, TL.And(share, TL.GreaterThanOrEqual(bin, at)));
        }
        TV dot = TL.Divide(TL.Add(TL.Multiply(gLo, below), TL.Multiply(gHi, upTo)), TL.Broadcast(1f - bins * minBin));
        TV factor = TL.Multiply(TL.Broadcast(2f * bound), scale);
        for (int i = 0; i < bins; i++)
        {
            TV at = TL.Broadcast(i);
            TV gi = TL.Add(TL.And(gLo, TL.GreaterThan(bin, at)), TL.And(gHi, TL.GreaterThanOrEqual(bin, at)));
            g[i] = TL.Multiply(TL.Multiply(factor, e[i]), TL.Subtract(gi, dot));
        }
    }

    /// <summary>
    /// Stores 0 + g[j] for j = first … K − 1 at channel j (from <paramref name="channels"/>), or g[K − 1 + first − j] in
    /// the flipped lanes (the mirror: bin j ↔ K − 1 − j, interior knot k ↔ K − k), 0 where <paramref name="keep"/> is clear.
    /// </summary>
    private static void StoreMirrored<TL, TV>(float* channels, int volume, int bins, int first, TV flip, TV keep, TV* g)
        where TL : struct, ILanes<TV> where TV : unmanaged
    {
        for (int j = first; j < bins; j++)
            TL.Store(channels + j * volume, TL.And(TL.Add(TL.Zero, TL.Select(flip, g[bins - 1 + first - j], g[j])), keep));
    }

    private static TV Inside<TL, TV>(TV v, float bound) where TL : struct, ILanes<TV> where TV : unmanaged =>
        TL.And(TL.GreaterThan(v, TL.Broadcast(-bound)), TL.LessThan(v, TL.Broadcast(bound)));

    /// <summary>log g' = ln(s² m/den²), t = ξ(1 − ξ), den = s + (δ_k + δ_{k+1} − 2s) t, m = δ_{k+1}ξ² + 2st + δ_k(1 − ξ)².</summary>
    private static TV LogDerivative<TL, TV>(TV s, TV d0, TV d1, TV xi) where TL : struct, ILanes<TV> where TV : unmanaged
    {
        TV one = TL.Broadcast(1f), two = TL.Broadcast(2f);
        TV u = TL.Subtract(one, xi), t = TL.Multiply(xi, u);
        TV den = TL.Add(s, TL.Multiply(TL.Subtract(TL.Add(d0, d1), TL.Multiply(two, s)), t));
        TV m = TL.Add(TL.Add(TL.Multiply(TL.Multiply(d1, xi), xi), TL.Multiply(TL.Multiply(two, s), t)), TL.Multiply(TL.Multiply(d0, u), u));
        return TL.MapDouble<LogRatioMap>(s, m, den);
    }

    /// <summary>[s ξ² + δ_near t] / [s + (δ_near + δ_far − 2s) t].</summary>
    private static TV Rise<TL, TV>(TV s, TV dNear, TV dFar, TV xi) where TL : struct, ILanes<TV> where TV : unmanaged
    {
        TV t = TL.Multiply(xi, TL.Subtract(TL.Broadcast(1f), xi));
        TV sum = TL.Subtract(TL.Add(dNear, dFar), TL.Multiply(TL.Broadcast(2f), s));
        return TL.Divide(TL.Add(TL.Multiply(TL.Multiply(s, xi), xi), TL.Multiply(dNear, t)), TL.Add(s, TL.Multiply(sum, t)));
    }

    /// <summary>The root ξ ∈ [0, 1] of a ξ² + b ξ + c = 0 by the form without cancellation, as the body chooses it.</summary>
    private static TV Solve<TL, TV>(TV h, TV s, TV dNear, TV dFar, TV dy) where TL : struct, ILanes<TV> where TV : unmanaged
    {
        TV sum = TL.Subtract(TL.Add(dNear, dFar), TL.Multiply(TL.Broadcast(2f), s));
        TV a = TL.Add(TL.Multiply(h, TL.Subtract(s, dNear)), TL.Multiply(dy, sum));
        TV b = TL.Subtract(TL.Multiply(h, dNear), TL.Multiply(dy, sum));
        TV c = TL.Multiply(TL.Negate(s), dy);
        TV root = TL.Sqrt(TL.Max(TL.Subtract(TL.Multiply(b, b), TL.Multiply(TL.Multiply(TL.Broadcast(4f), a), c)), TL.Zero));
        TV positive = TL.Divide(TL.Multiply(TL.Broadcast(2f), c), TL.Subtract(TL.Negate(b), root));
        TV negative = TL.Divide(TL.Add(TL.Negate(b), root), TL.Multiply(TL.Broadcast(2f), a));
        return TL.Select(TL.GreaterThanOrEqual(b, TL.Zero), positive, negative);
    }

    /// <summary>softplus(v) = v + ln(1 + e^{−v}) for v &gt; 0, ln(1 + e^v) otherwise.</summary>
    private static TV Softplus<TL, TV>(TV v) where TL : struct, ILanes<TV> where TV : unmanaged
    {
        TV positive = TL.GreaterThanZero(v), tail = TL.Select(positive, TL.Negate(v), v);
        TV log = TL.MapDouble<LogOnePlusExpMap>(tail, tail, tail);
        return TL.Select(positive, TL.Add(v, log), log);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Exp<TL, TV>(TV v) where TL : struct, ILanes<TV> where TV : unmanaged => TL.MapDouble<ExpMap>(v, v, v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Sigmoid<TL, TV>(TV v) where TL : struct, ILanes<TV> where TV : unmanaged => TL.MapDouble<SigmoidMap>(v, v, v);

    /// <summary><see cref="RationalQuadraticSpline.Exp"/>: e^a.</summary>
    private readonly struct ExpMap : IDoubleMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TL, TD>(TD a, TD b, TD c) where TL : struct, IDoubleLanes<TD> where TD : unmanaged => PortableMathLanes.Exp<TL, TD>(a);
    }

    /// <summary><see cref="RationalQuadraticSpline.LogOnePlusExp"/>: ln(1 + e^a).</summary>
    private readonly struct LogOnePlusExpMap : IDoubleMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TL, TD>(TD a, TD b, TD c) where TL : struct, IDoubleLanes<TD> where TD : unmanaged =>
            PortableMathLanes.Log<TL, TD>(TL.Add(TL.Broadcast(1.0), PortableMathLanes.Exp<TL, TD>(a)));
    }

    /// <summary><see cref="RationalQuadraticSpline.Sigmoid"/>: 1/(1 + e^{−a}).</summary>
    private readonly struct SigmoidMap : IDoubleMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TL, TD>(TD a, TD b, TD c) where TL : struct, IDoubleLanes<TD> where TD : unmanaged =>
            TL.Divide(TL.Broadcast(1.0), TL.Add(TL.Broadcast(1.0), PortableMathLanes.Exp<TL, TD>(TL.Xor(a, TL.BroadcastBits(0x8000_0000_0000_0000)))));
    }

    /// <summary><see cref="RationalQuadraticSpline.LogRatio"/>: ln(a² b / c²), NaN outside the positive normal doubles.</summary>
    private readonly struct LogRatioMap : IDoubleMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TL, TD>(TD a, TD b, TD c) where TL : struct, IDoubleLanes<TD> where TD : unmanaged
        {
            TD q = TL.Divide(TL.Multiply(TL.Multiply(a, a), b), TL.Multiply(c, c));
            // q ≥ 2⁻¹⁰²² (above the largest subnormal) and q ≤ MaxValue, both false for NaN, as the body's tests.
            TD normal = TL.And(TL.GreaterThan(q, TL.BroadcastBits(0x000F_FFFF_FFFF_FFFF)), TL.LessThan(q, TL.Broadcast(double.PositiveInfinity)));
            return TL.Select(normal, PortableMathLanes.Log<TL, TD>(q), TL.Broadcast(double.NaN));
        }
    }
}
