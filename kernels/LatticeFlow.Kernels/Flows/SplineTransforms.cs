using ILGPU.Algorithms;

namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// How the rational-quadratic spline core (<see cref="RationalQuadraticSpline"/>) reads the unnormalised parameters of
/// one site and hands back their gradients: the logits of the K bin widths (block 0) and heights (block 1), and the
/// pre-activations of the K − 1 interior knot derivatives, from the net's channels (<see cref="SplineLogits{TF}"/>).
/// </summary>
public interface ISplineLogits
{
    /// <summary>Logit of bin j (0 ≤ j &lt; K) of the widths (block 0) or heights (block 1).</summary>
    float Logit(int block, int j);

    /// <summary>Pre-activation of the derivative at interior knot k, 1 ≤ k ≤ K − 1.</summary>
    float Slope(int k);

    /// <summary>Sets every parameter gradient to 0 (the Add methods accumulate).</summary>
    void ClearGradients();

    void AddLogitGradient(int block, int j, float g);

    void AddSlopeGradient(int k, float g);
}

/// <summary>
/// Monotone rational-quadratic spline on [−B, B] with K bins and identity tails (Durkan, Bekasov, Murray, Papamakarios,
/// Neural Spline Flows, arXiv:1906.04032, Sec. 3.1 and App. A), in float32, for one site.
/// <para>
/// Parameters: bin widths w_j = 2B (m_w + (1 − K m_w) softmax(a)_j), heights h_j likewise from their logits, knots
/// x_k = −B + Σ_{j&lt;k} w_j and y_k (x_0 = y_0 = −B, x_K = y_K = B; in float each measured from its nearer end); derivatives δ_0 = δ_K = 1 (so the spline joins the
/// identity tails with a continuous slope) and δ_k = m_δ + softplus(u_k + c) for the interior knots, where
/// c = ln(e^{1 − m_δ} − 1) makes u = 0 give δ = 1: all-zero parameters are the identity map.
/// m_w = m_h = m_δ = 1e-3 (Durkan et al.'s defaults) keep every bin and slope away from 0.
/// </para>
/// <para>
/// In bin k, with ξ = (x − x_k)/w_k, s_k = h_k/w_k and t = ξ(1 − ξ) (eq. 4 and 5 of the paper):
/// g(x) = y_k + h_k [s_k ξ² + δ_k t] / [s_k + (δ_{k+1} + δ_k − 2 s_k) t],
/// g'(x) = s_k² [δ_{k+1} ξ² + 2 s_k t + δ_k (1 − ξ)²] / [s_k + (δ_{k+1} + δ_k − 2 s_k) t]².
/// The inverse solves a ξ² + b ξ + c = 0 (eq. 6–8) for the root in [0, 1]: ξ = 2c / (−b − √(b² − 4ac)) (eq. 29) where
/// b ≥ 0, and ξ = (−b + √(b² − 4ac)) / 2a where b &lt; 0, the same root without eq. 29's cancellation there. Both
/// directions work from the nearer knot of the bin (the spline seen from y_{k+1} has the same form with δ_k and
/// δ_{k+1} exchanged), so that float32 rounding stays near that of y itself.
/// Outside (−B, B) the map is the identity with log g' = 0.
/// </para>
/// </summary>
public static class RationalQuadraticSpline
{
    public const float MinBinWidth = 1e-3f, MinBinHeight = 1e-3f, MinDerivative = 1e-3f;

    /// <summary>c = ln(e^{1 − m_δ} − 1): m_δ + softplus(c) = 1.</summary>
    public const float SlopeShift = 0.539742417236952f;

    /// <summary>The most bins (K m_w must stay below 1).</summary>
    public const int MaxBins = 128;

    // The double-precision steps, in PortableMath's exp and log (not the C library's), so that the host SIMD twin
    // (src/LatticeFlow/Devices/Simd/SplineLanes.cs) repeats them bit for bit in lanes.

    /// <summary>e^v in double, rounded to float.</summary>
    public static float Exp(float v) => (float)PortableMath.Exp(v);

    /// <summary>ln(1 + e^v) in double for v ≤ 0, rounded to float: the softplus without its linear part.</summary>
    public static float LogOnePlusExp(float v) => (float)PortableMath.Log(1.0 + PortableMath.Exp(v));

    private static float Softplus(float v) => v > 0f ? v + LogOnePlusExp(-v) : LogOnePlusExp(v);

    /// <summary>1/(1 + e^{−v}) in double, rounded to float: the softplus' derivative.</summary>
    public static float Sigmoid(float v) => (float)(1.0 / (1.0 + PortableMath.Exp(-(double)v)));

    /// <summary>
    /// ln(s² m / den²) in double, rounded to float: log g' from the parts of <see cref="LogDerivative"/>; NaN where the
    /// ratio is not a positive normal double (PortableMath.Log takes no other), which only a degenerate site reaches (net
    /// outputs near float's overflow): the flow counts it as a non-finite proposal.
    /// </summary>
    public static float LogRatio(float s, float m, float den)
    {
        double q = (double)s * s * m / ((double)den * den);
        return q >= PortableMath.MinNormal && q <= double.MaxValue ? (float)PortableMath.Log(q) : float.NaN;
    }

    private static float MinBin(int block) => block == 0 ? MinBinWidth : MinBinHeight;

    /// <summary>
    /// max_j a_j and scale = (1 − K m)/Σ_j e^{a_j − max}, so that bin j spans 2B (m + scale e^{a_j − max}). The sum runs
    /// over mirror pairs (j, K − 1 − j), so that reversed logits give the same bits.
    /// </summary>
    private static void Normalise<TL>(TL l, int block, int bins, out float max, out float scale) where TL : struct, ISplineLogits
    {
        max = l.Logit(block, 0);
        for (int j = 1; j < bins; j++) max = XMath.Max(max, l.Logit(block, j));
        float sum = 0f;
        for (int j = 0; j < bins - 1 - j; j++) sum += Exp(l.Logit(block, j) - max) + Exp(l.Logit(block, bins - 1 - j) - max);
        if (bins % 2 == 1) sum += Exp(l.Logit(block, bins / 2) - max);
        scale = (1f - bins * MinBin(block)) / sum;
    }

    /// <summary>Bin j's share of the interval, m + scale e^{a_j − max}.</summary>
    private static float Share<TL>(TL l, int block, int j, float max, float scale) where TL : struct, ISplineLogits =>
        MinBin(block) + scale * Exp(l.Logit(block, j) - max);

    /// <summary>
    /// Knot k, 0 ≤ k ≤ K: −B + 2B Σ_{j&lt;k} share_j in the lower half (2k &lt; K), B − 2B Σ_{j≥k} share_j in the upper half,
    /// B (Σ_{j&lt;k} − Σ_{j≥k}) in the middle (2k = K); the sums run outward in. Each knot is thus measured from its nearer
    /// end, and reversed parameters give the mirror knots −x_{K−k} bit for bit.
    /// </summary>
    private static float Knot<TL>(TL l, int block, int bins, float bound, int k, float max, float scale) where TL : struct, ISplineLogits
    {
        if (k <= 0) return -bound;
        if (k >= bins) return bound;
        float below = 0f, above = 0f;
        if (2 * k <= bins)
            for (int j = 0; j < k; j++) below += Share(l, block, j, max, scale);
        if (2 * k >= bins)
            for (int j = bins - 1; j >= k; j--) above += Share(l, block, j, max, scale);
        if (2 * k < bins) return -bound + 2f * bound * below;
        if (2 * k > bins) return bound - 2f * bound * above;
        return bound * (below - above);
    }

    /// <summary>The bin k with knot_k ≤ v &lt; knot_{k+1} (v inside (−B, B)), and its two knots as <see cref="Knots"/> gives them.</summary>
    public static int Locate<TL>(TL l, int block, int bins, float bound, float v, out float lo, out float hi) where TL : struct, ISplineLogits
    {
        Normalise(l, block, bins, out float max, out float scale);
        return Locate(l, block, bins, bound, v, max, scale, out lo, out hi);
    }

    private static int Locate<TL>(TL l, int block, int bins, float bound, float v, float max, float scale, out float lo, out float hi)
        where TL : struct, ISplineLogits
    {
        // The lower half from −B up, the upper half from B down, in the order of the sums in Knot.
        float below = 0f, above = 0f;
        lo = -bound;
        int k = 1;
        for (; 2 * k < bins; k++)
        {
            below += Share(l, block, k - 1, max, scale);
            float knot = -bound + 2f * bound * below;
            if (v < knot)
            {
                hi = knot;
                return k - 1;
            }
            lo = knot;
        }
        hi = bound;
        int top = bins - 1;
        for (; 2 * top > bins; top--)
        {
            above += Share(l, block, top, max, scale);
            float knot = bound - 2f * bound * above;
            if (v >= knot)
            {
                lo = knot;
                return top;
            }
            hi = knot;
        }
        if (bins % 2 == 1) return bins / 2;
        // The middle knot K/2 lies between the last lower and the last upper bin.
        below += Share(l, block, bins / 2 - 1, max, scale);
        above += Share(l, block, bins / 2, max, scale);
        float middle = bound * (below - above);
        if (v < middle)
        {
            hi = middle;
            return bins / 2 - 1;
        }
        lo = middle;
        return bins / 2;
    }

    /// <summary>Knots k and k + 1 of the widths (block 0) or heights (block 1).</summary>
    public static void Knots<TL>(TL l, int block, int bins, float bound, int k, out float lo, out float hi) where TL : struct, ISplineLogits
    {
        Normalise(l, block, bins, out float max, out float scale);
        Knots(l, block, bins, bound, k, max, scale, out lo, out hi);
    }

    private static void Knots<TL>(TL l, int block, int bins, float bound, int k, float max, float scale, out float lo, out float hi)
        where TL : struct, ISplineLogits
    {
        lo = Knot(l, block, bins, bound, k, max, scale);
        hi = Knot(l, block, bins, bound, k + 1, max, scale);
    }

    /// <summary>δ_k: 1 at the ends, m_δ + softplus(u_k + c) inside.</summary>
    public static float Derivative<TL>(TL l, int bins, int k) where TL : struct, ISplineLogits =>
        k <= 0 || k >= bins ? 1f : MinDerivative + Softplus(l.Slope(k) + SlopeShift);

    /// <summary>log g' = log(s² [δ_{k+1} ξ² + 2 s t + δ_k (1 − ξ)²] / den²), in double before the cast.</summary>
    private static float LogDerivative(float s, float d0, float d1, float xi)
    {
        float t = xi * (1f - xi);
        float den = s + (d0 + d1 - 2f * s) * t;
        float m = d1 * xi * xi + 2f * s * t + d0 * (1f - xi) * (1f - xi);
        return LogRatio(s, m, den);
    }

    /// <summary>y = g(x) and log g'(x).</summary>
    public static float Forward<TL>(TL l, int bins, float bound, float x, out float logJ) where TL : struct, ISplineLogits
    {
        if (!(x > -bound && x < bound))
        {
            logJ = 0f;
            return x;
        }
        int k = Locate(l, 0, bins, bound, x, out float x0, out float x1);
        Knots(l, 1, bins, bound, k, out float y0, out float y1);
        float d0 = Derivative(l, bins, k), d1 = Derivative(l, bins, k + 1);
        float w = x1 - x0, h = y1 - y0, s = h / w;
        float xi = (x - x0) / w;
        logJ = LogDerivative(s, d0, d1, xi);
        // From the nearer knot: y_{k+1} − y = h [s (1 − ξ)² + δ_{k+1} t]/den is the same function seen from the right,
        // and adds a small correction to a knot instead of cancelling most of h.
        return xi <= 0.5f ? y0 + h * Rise(s, d0, d1, xi) : y1 - h * Rise(s, d1, d0, 1f - xi);
    }

    /// <summary>[s ξ² + δ_near ξ(1 − ξ)] / [s + (δ_near + δ_far − 2s) ξ(1 − ξ)]: the fraction of the bin's height below ξ.</summary>
    private static float Rise(float s, float dNear, float dFar, float xi)
    {
        float t = xi * (1f - xi);
        return (s * xi * xi + dNear * t) / (s + (dNear + dFar - 2f * s) * t);
    }

    /// <summary>The ξ in [0, 1] with h Rise(s, δ_near, δ_far, ξ) = dy (eq. 6–8), by the form of the root that does not cancel.</summary>
    private static float Solve(float h, float s, float dNear, float dFar, float dy)
    {
        float sum = dNear + dFar - 2f * s;
        float a = h * (s - dNear) + dy * sum;
        float b = h * dNear - dy * sum;
        float c = -s * dy;
        float root = XMath.Sqrt(XMath.Max(b * b - 4f * a * c, 0f));
        // Eq. 29's 2c/(−b − √D) subtracts nearly equal numbers when b < 0 (then a > 0, since the root lies in [0, 1] and
        // c ≤ 0), where (−b + √D)/2a does not: the usual choice of the form without cancellation (Numerical Recipes, Sec. 5.6).
        return b >= 0f ? 2f * c / (-b - root) : (-b + root) / (2f * a);
    }

    /// <summary>x = g⁻¹(y) by the stable root and log g'(x).</summary>
    public static float Inverse<TL>(TL l, int bins, float bound, float y, out float logJ) where TL : struct, ISplineLogits
    {
        if (!(y > -bound && y < bound))
        {
            logJ = 0f;
            return y;
        }
        int k = Locate(l, 1, bins, bound, y, out float y0, out float y1);
        Knots(l, 0, bins, bound, k, out float x0, out float x1);
        float d0 = Derivative(l, bins, k), d1 = Derivative(l, bins, k + 1);
        float w = x1 - x0, h = y1 - y0, s = h / w;
        // Solved from the nearer knot, as Forward evaluates.
        if (y - y0 <= y1 - y)
        {
            float xi = Solve(h, s, d0, d1, y - y0);
            logJ = LogDerivative(s, d0, d1, xi);
            return x0 + xi * w;
        }
        float xr = Solve(h, s, d1, d0, y1 - y);
        logJ = LogDerivative(s, d0, d1, 1f - xr);
        return x1 - xr * w;
    }

    /// <summary>
    /// Back-propagates gy = ∂L/∂y and gl = ∂L/∂(log g') of y = g(x): parameter gradients through the knots, softmax and
    /// softplus into <paramref name="l"/>, and ∂L/∂x returned. In bin k, with den, num = s ξ² + δ_k t and
    /// m = δ_{k+1} ξ² + 2 s t + δ_k (1 − ξ)²:
    /// ∂y/∂ξ = h s m / den², ∂y/∂s = h [ξ² den − num (1 − 2t)] / den², ∂y/∂δ_k = h t (den − num) / den²,
    /// ∂y/∂δ_{k+1} = −h t num / den², ∂y/∂h|_s = num/den;
    /// ∂log g'/∂s = 2/s + 2t/m − 2(1 − 2t)/den, ∂/∂δ_k = (1 − ξ)²/m − 2t/den, ∂/∂δ_{k+1} = ξ²/m − 2t/den,
    /// ∂/∂ξ = [2δ_{k+1} ξ + 2s(1 − 2ξ) − 2δ_k(1 − ξ)]/m − 2(δ_k + δ_{k+1} − 2s)(1 − 2ξ)/den;
    /// then ξ = (x − x_k)/w, s = h/w, the knots as cumulative sums of the softmax bins, δ through the softplus.
    /// </summary>
    public static float Backward<TL>(TL l, int bins, float bound, float x, float gy, float gl) where TL : struct, ISplineLogits
    {
        l.ClearGradients();
        if (!(x > -bound && x < bound)) return gy;
        Normalise(l, 0, bins, out float maxW, out float scaleW);
        Normalise(l, 1, bins, out float maxH, out float scaleH);
        int k = Locate(l, 0, bins, bound, x, maxW, scaleW, out float x0, out float x1);
        Knots(l, 1, bins, bound, k, maxH, scaleH, out float y0, out float y1);
        float d0 = Derivative(l, bins, k), d1 = Derivative(l, bins, k + 1);
        float w = x1 - x0, h = y1 - y0, s = h / w;
        float xi = (x - x0) / w, t = xi * (1f - xi), u = 1f - xi;
        float sum = d0 + d1 - 2f * s;
        float den = s + sum * t, den2 = den * den;
        float num = s * xi * xi + d0 * t;
        float m = d1 * xi * xi + 2f * s * t + d0 * u * u;

        float gXi = gy * (h * s * m / den2)
            + gl * ((2f * d1 * xi + 2f * s * (1f - 2f * xi) - 2f * d0 * u) / m - 2f * sum * (1f - 2f * xi) / den);
        float gS = gy * (h * (xi * xi * den - num * (1f - 2f * t)) / den2)
            + gl * (2f / s + 2f * t / m - 2f * (1f - 2f * t) / den);
        float gD0 = gy * (h * t * (den - num) / den2) + gl * (u * u / m - 2f * t / den);
        float gD1 = -gy * (h * t * num / den2) + gl * (xi * xi / m - 2f * t / den);

        // (x_k, w) and (y_k, h) as independent variables, then the knots x_k and x_{k+1} = x_k + w.
        float gH = gy * (num / den) + gS / w;
        float gW = -(gXi * xi + gS * s) / w;
        float gX0 = -gXi / w;
        Distribute(l, 0, bins, bound, k, maxW, scaleW, gX0 - gW, gW);
        Distribute(l, 1, bins, bound, k, maxH, scaleH, gy - gH, gH);
        if (k >= 1) l.AddSlopeGradient(k, gD0 * Sigmoid(l.Slope(k) + SlopeShift));
        if (k + 1 <= bins - 1) l.AddSlopeGradient(k + 1, gD1 * Sigmoid(l.Slope(k + 1) + SlopeShift));
        return gXi / w;
    }

    /// <summary>
    /// ∂L/∂a_i from ∂L/∂knot_k = gLo and ∂L/∂knot_{k+1} = gHi, with knot_j = −B + 2B Σ_{i&lt;j} (m + (1 − K m) σ_i)
    /// (σ = softmax(a); the last knot is B whatever a is, which this form also gives, since Σ σ = 1):
    /// ∂L/∂a_i = 2B (1 − K m) σ_i (G_i − Σ_j σ_j G_j), G_i = gLo [i &lt; k] + gHi [i ≤ k].
    /// </summary>
    private static void Distribute<TL>(TL l, int block, int bins, float bound, int k, float max, float scale, float gLo, float gHi)
        where TL : struct, ISplineLogits
    {
        // scale = (1 − K m)/Σ e: σ_i = e_i/Σ e, so (1 − K m) σ_i = scale e_i.
        float below = 0f, upTo = 0f;
        for (int j = 0; j <= k; j++)
        {
            float e = scale * Exp(l.Logit(block, j) - max);
            if (j < k) below += e;
            upTo += e;
        }
        float oneMinus = 1f - bins * MinBin(block);
        float dot = (gLo * below + gHi * upTo) / oneMinus;
        for (int i = 0; i < bins; i++)
        {
            float g = (i < k ? gLo : 0f) + (i <= k ? gHi : 0f);
            l.AddLogitGradient(block, i, 2f * bound * scale * Exp(l.Logit(block, i) - max) * (g - dot));
        }
    }
}

/// <summary>
/// The net's channels of one site: widths' logits in channels 0..K−1, heights' in K..2K−1, the interior derivatives'
/// pre-activations u_1..u_{K−1} in 2K..3K−2 (3K − 1 channels, as in Durkan et al.'s coupling). With <c>flip</c> = 1 the
/// bins and knots are read in reverse order: the parameters R p of the point reflection −g(−x) of the spline.
/// </summary>
public readonly struct SplineLogits<TF>(SiteParameters<TF> p, SiteParameters<TF> gp, int bins, int flip) : ISplineLogits where TF : struct, IView<float>
{
    private readonly SiteParameters<TF> _p = p, _gp = gp;
    private readonly int _bins = bins, _flip = flip;

    private int Bin(int j) => _flip != 0 ? _bins - 1 - j : j;

    private int Interior(int k) => _flip != 0 ? _bins - k : k;

    public float Logit(int block, int j) => _p[block * _bins + Bin(j)];

    public float Slope(int k) => _p[2 * _bins + Interior(k) - 1];

    public void ClearGradients()
    {
        for (int c = 0; c < 3 * _bins - 1; c++) _gp[c] = 0f;
    }

    public void AddLogitGradient(int block, int j, float g) => _gp[block * _bins + Bin(j)] += g;

    public void AddSlopeGradient(int k, float g) => _gp[2 * _bins + Interior(k) - 1] += g;
}

/// <summary>
/// The rational-quadratic spline coupling (<see cref="RationalQuadraticSpline"/>; arXiv:1906.04032): K bins on
/// [−B, B], identity tails, 3K − 1 net channels per site (<see cref="SplineLogits{TF}"/>). Its mirror P reverses the
/// bins and interior knots, g(−x; P p) = −g(x; p), so that group averaging makes it Z2-equivariant like every transform.
/// Every evaluation runs on the non-positive half-line: for x &gt; 0 it computes −g(−x; P p), the same function, so
/// that the mirror image (−x, P p) of a site runs exactly the same float operations and an equivariant flow is odd
/// to the last bit of its averaged parameters.
/// </summary>
public readonly struct SplineTransform(int bins, float bound) : ICouplingTransform
{
    private readonly int _bins = bins;
    private readonly float _bound = bound;

    /// <summary>K, the number of bins.</summary>
    public int Bins => _bins;

    /// <summary>B: the spline maps [−B, B] onto itself and is the identity outside.</summary>
    public float Bound => _bound;

    public int Channels => 3 * _bins - 1;

    // Widths and heights: bin j ↔ K − 1 − j in each block; derivatives: knot k ↔ K − k (channel 2K + k − 1).
    public int MirrorChannel(int c) => c < 2 * _bins ? c / _bins * _bins + (_bins - 1 - c % _bins) : 5 * _bins - 2 - c;

    public float MirrorSign(int c) => 1f;

    public float Forward<TF>(float x, SiteParameters<TF> p, out float logJ) where TF : struct, IView<float>
    {
        int flip = x > 0f ? 1 : 0;
        float y = RationalQuadraticSpline.Forward(new SplineLogits<TF>(p, p, _bins, flip), _bins, _bound, flip != 0 ? -x : x, out logJ);
        return flip != 0 ? -y : y;
    }

    public float Inverse<TF>(float y, SiteParameters<TF> p, out float logJ) where TF : struct, IView<float>
    {
        int flip = y > 0f ? 1 : 0;
        float x = RationalQuadraticSpline.Inverse(new SplineLogits<TF>(p, p, _bins, flip), _bins, _bound, flip != 0 ? -y : y, out logJ);
        return flip != 0 ? -x : x;
    }

    public float Backward<TF>(float x, SiteParameters<TF> p, float gy, float gl, SiteParameters<TF> gp) where TF : struct, IView<float>
    {
        // y = −g(−x; P p): ∂L/∂g = −gy, and ∂L/∂x = −∂L/∂(−x).
        int flip = x > 0f ? 1 : 0;
        float g = RationalQuadraticSpline.Backward(new SplineLogits<TF>(p, gp, _bins, flip), _bins, _bound,
            flip != 0 ? -x : x, flip != 0 ? -gy : gy, gl);
        return flip != 0 ? -g : g;
    }
}
