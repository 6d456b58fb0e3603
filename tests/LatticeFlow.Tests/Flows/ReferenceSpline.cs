namespace LatticeFlow.Tests.Flows;

/// <summary>
/// The rational-quadratic spline of Durkan et al. (arXiv:1906.04032, eq. 4–8) in double, written from the equations
/// with whole arrays (softmax vectors, knot arrays) rather than the kernels' running sums, with its own hand-written
/// backward: the local partials by the quotient rule in the knots (x_k, x_{k+1}, y_k, y_{k+1}, δ_k, δ_{k+1}), then
/// the knot sums and the full softmax Jacobian. Parametrisation as documented in RationalQuadraticSpline: widths and
/// heights 2B(m + (1 − Km) softmax), δ = m + softplus(u + c) inside, 1 at ±B; evaluated directly, without the
/// kernels' reflection onto x ≤ 0.
/// </summary>
internal sealed class ReferenceSpline(int bins, double bound)
{
    private const double Min = 1e-3;
    private static readonly double Shift = Math.Log(Math.Exp(1 - Min) - 1);
    private readonly int _k = bins;
    private readonly double _b = bound;

    public int Channels => 3 * _k - 1;

    private static double Softplus(double v) => v > 0 ? v + Math.Log(1 + Math.Exp(-v)) : Math.Log(1 + Math.Exp(v));

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>Channels to width logits a[K], height logits b[K] and derivative pre-activations u[K+1] (u[0], u[K] unused).</summary>
    public (double[] A, double[] H, double[] U) Unpack(double[] ch)
    {
        var a = new double[_k];
        var h = new double[_k];
        var u = new double[_k + 1];
        for (int j = 0; j < _k; j++) { a[j] = ch[j]; h[j] = ch[_k + j]; }
        for (int k = 1; k < _k; k++) u[k] = ch[2 * _k + k - 1];
        return (a, h, u);
    }

    /// <summary>∂L/∂channels from ∂L/∂a, ∂L/∂b, ∂L/∂u (the transpose of <see cref="Unpack"/>'s Jacobian).</summary>
    private double[] Pack(double[] ch, double[] ga, double[] gh, double[] gu)
    {
        var g = new double[Channels];
        for (int j = 0; j < _k; j++) { g[j] = ga[j]; g[_k + j] = gh[j]; }
        for (int k = 1; k < _k; k++) g[2 * _k + k - 1] = gu[k];
        return g;
    }

    private double[] Softmax(double[] a)
    {
        double max = a.Max();
        var e = a.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }

    /// <summary>Knots −B = k_0 &lt; … &lt; k_K = B of softmax logits a.</summary>
    private double[] KnotsOf(double[] a)
    {
        var sm = Softmax(a);
        var knots = new double[_k + 1];
        knots[0] = -_b;
        for (int j = 0; j < _k; j++) knots[j + 1] = knots[j] + 2 * _b * (Min + (1 - _k * Min) * sm[j]);
        knots[_k] = _b;
        return knots;
    }

    private double[] Derivatives(double[] u)
    {
        var d = new double[_k + 1];
        d[0] = d[_k] = 1;
        for (int k = 1; k < _k; k++) d[k] = Min + Softplus(u[k] + Shift);
        return d;
    }

    private int Bin(double[] knots, double v)
    {
        int k = 0;
        while (k < _k - 1 && v >= knots[k + 1]) k++;
        return k;
    }

    public double Forward(double x, double[] ch, out double logJ)
    {
        logJ = 0;
        if (x <= -_b || x >= _b) return x;
        var (a, hl, u) = Unpack(ch);
        var xs = KnotsOf(a);
        var ys = KnotsOf(hl);
        var d = Derivatives(u);
        int k = Bin(xs, x);
        double w = xs[k + 1] - xs[k], h = ys[k + 1] - ys[k], s = h / w, xi = (x - xs[k]) / w;
        double num = s * xi * xi + d[k] * xi * (1 - xi), den = s + (d[k + 1] + d[k] - 2 * s) * xi * (1 - xi);
        double m = d[k + 1] * xi * xi + 2 * s * xi * (1 - xi) + d[k] * (1 - xi) * (1 - xi);
        logJ = Math.Log(s * s * m) - 2 * Math.Log(den);
        return ys[k] + h * num / den;
    }

    /// <summary>∂L/∂x and ∂L/∂channels of y = g(x) for ∂L/∂y = gy and ∂L/∂(log g') = gl.</summary>
    public (double Gx, double[] Gch) Backward(double x, double[] ch, double gy, double gl)
    {
        if (x <= -_b || x >= _b) return (gy, new double[Channels]);
        var (a, hl, u) = Unpack(ch);
        var xs = KnotsOf(a);
        var ys = KnotsOf(hl);
        var d = Derivatives(u);
        int k = Bin(xs, x);
        double x0 = xs[k], x1 = xs[k + 1], y0 = ys[k], y1 = ys[k + 1], d0 = d[k], d1 = d[k + 1];
        double w = x1 - x0, h = y1 - y0, s = h / w, xi = (x - x0) / w;
        // Partials of ξ and s in (x, x0, x1, y0, y1).
        double xiX = 1 / w, xiX0 = (xi - 1) / w, xiX1 = -xi / w;
        double sX0 = s / w, sX1 = -s / w, sY0 = -1 / w, sY1 = 1 / w;
        // num, den, m and their partials in (ξ, s, δ0, δ1).
        double t = xi * (1 - xi), tXi = 1 - 2 * xi;
        double num = s * xi * xi + d0 * t, den = s + (d1 + d0 - 2 * s) * t;
        double m = d1 * xi * xi + 2 * s * t + d0 * (1 - xi) * (1 - xi);
        double[] numP = [2 * s * xi + d0 * tXi, xi * xi, t, 0];
        double[] denP = [(d1 + d0 - 2 * s) * tXi, 1 - 2 * t, t, t];
        double[] mP = [2 * d1 * xi + 2 * s * tXi - 2 * d0 * (1 - xi), 2 * t, (1 - xi) * (1 - xi), xi * xi];
        // y = y0 + h R, R = num/den; log g' = 2 ln s + ln m − 2 ln den.
        double r = num / den;
        var rP = new double[4];
        var lP = new double[4];
        for (int i = 0; i < 4; i++)
        {
            rP[i] = (numP[i] * den - num * denP[i]) / (den * den);
            lP[i] = mP[i] / m - 2 * denP[i] / den;
        }
        lP[1] += 2 / s;
        // Loss partials in (ξ, s, δ0, δ1) and, explicitly, in y0 and h.
        var g = new double[4];
        for (int i = 0; i < 4; i++) g[i] = gy * h * rP[i] + gl * lP[i];
        double gY0 = gy - gy * r, gY1 = gy * r; // y0 + (y1 − y0) R
        double gX = g[0] * xiX;
        double gX0 = g[0] * xiX0 + g[1] * sX0, gX1 = g[0] * xiX1 + g[1] * sX1;
        gY0 += g[1] * sY0;
        gY1 += g[1] * sY1;
        var ga = KnotGradient(a, k, gX0, gX1);
        var gh = KnotGradient(hl, k, gY0, gY1);
        var gu = new double[_k + 1];
        if (k >= 1) gu[k] += g[2] * Sigmoid(u[k] + Shift);
        if (k + 1 <= _k - 1) gu[k + 1] += g[3] * Sigmoid(u[k + 1] + Shift);
        return (gX, Pack(ch, ga, gh, gu));
    }

    /// <summary>∂L/∂a from ∂L/∂knot_k and ∂L/∂knot_{k+1}, through the knot sums (the last knot fixed at B) and the softmax Jacobian.</summary>
    private double[] KnotGradient(double[] a, int k, double gLo, double gHi)
    {
        var sm = Softmax(a);
        var gSm = new double[_k];
        for (int j = 0; j < _k; j++)
        {
            double c = 2 * _b * (1 - _k * Min);
            if (j < k) gSm[j] += gLo * c;
            if (j <= k && k + 1 < _k) gSm[j] += gHi * c;
        }
        var ga = new double[_k];
        for (int i = 0; i < _k; i++)
            for (int j = 0; j < _k; j++) ga[i] += gSm[j] * sm[j] * ((i == j ? 1 : 0) - sm[i]);
        return ga;
    }
}
