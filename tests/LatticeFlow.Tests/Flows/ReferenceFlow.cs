using LatticeFlow.Flows;

namespace LatticeFlow.Tests.Flows;

/// <summary>
/// An independent, naive double-precision implementation of the same flow (written from the equations, not from the
/// kernels): periodic convolutions by explicit index arithmetic, activations, checkerboard affine/additive coupling,
/// log q, the φ⁴ action and its hand-written backward. It reads the flat parameter vector in the documented
/// ParameterStore order (per coupling layer, per conv: weights [o, i, kx, ky], then biases; the
/// global rescaling's a last). Transforms: affine y = x e^s + t (s = ŝ, or ŝ/(1 + |ŝ|/c) clamped) and additive y = x + t,
/// with parameters averaged over the frozen sites and their mirror image in equivariant flows; the global rescaling
/// φ = e^a y; the spectrum scaling u = K z before the couplings, K(r) = (1/V) Σ_k σ(k) cos(k·r) summed over the
/// complex Fourier modes (the layer uses a Hartley transform), ln σ piecewise linear in ln p̂² as documented.
/// </summary>
internal sealed class ReferenceFlow(FlowArchitecture arch, double[] theta)
{
    private readonly ReferenceSpline _spline = new(arch.Bins, arch.Bound);

    /// <summary>The net output channels of site s (channel-major [c][s] with stride V).</summary>
    private double[] SiteChannels(double[] st, int s) => [.. Enumerable.Range(0, st.Length / V).Select(c => st[c * V + s])];

    private const double Slope = 0.01;
    private readonly int _lx = arch.Lx, _ly = arch.Ly, _k = arch.Kernel, _r = (arch.Kernel - 1) / 2;
    public double[] Theta { get; } = theta;
    private int V => _lx * _ly;

    private double Act(int code, double v) => code == 1 ? (v > 0 ? v : Slope * v) : code == 2 ? Math.Tanh(v) : v;
    private double ActPrime(int code, double v) => code == 1 ? (v > 0 ? 1 : Slope) : code == 2 ? 1 - Math.Tanh(v) * Math.Tanh(v) : 1;

    private int Code(int j, int nConv) => j < nConv - 1 ? (arch.Activation == ActivationKind.LeakyRelu ? 1 : 2) : (arch.FinalTanh ? 2 : 0);

    private int Site(int x, int y) => ((x % _lx + _lx) % _lx) * _ly + ((y % _ly + _ly) % _ly);

    /// <summary>Pre-activations and outputs of one conv net on one sample; channel-major [c][s].</summary>
    private (double[][] Pre, double[][] Out) Net(int layer, double[] input, ref int offset)
    {
        var ch = arch.Channels;
        int n = ch.Length - 1;
        var pre = new double[n][];
        var outs = new double[n + 1][];
        outs[0] = input;
        for (int j = 0; j < n; j++)
        {
            int cin = ch[j], cout = ch[j + 1];
            int w0 = offset, b0 = offset + cout * cin * _k * _k;
            offset = b0 + cout;
            pre[j] = new double[cout * V];
            outs[j + 1] = new double[cout * V];
            for (int o = 0; o < cout; o++)
                for (int x = 0; x < _lx; x++)
                    for (int y = 0; y < _ly; y++)
                    {
                        double acc = Theta[b0 + o];
                        for (int i = 0; i < cin; i++)
                            for (int a = -_r; a <= _r; a++)
                                for (int c = -_r; c <= _r; c++)
                                    acc += Theta[w0 + ((o * cin + i) * _k + a + _r) * _k + c + _r] * outs[j][i * V + Site(x + a, y + c)];
                        pre[j][o * V + x * _ly + y] = acc;
                        outs[j + 1][o * V + x * _ly + y] = Act(Code(j, n), acc);
                    }
        }
        return (pre, outs);
    }

    private static bool Active(int layer, int x, int y) => ((x + y) & 1) == layer % 2;

    /// <summary>One conv net evaluation: pre-activations and outputs per conv layer.</summary>
    public sealed record NetTape(double[][] Pre, double[][] Outs);

    /// <summary>z; per coupling: its input, its net on the frozen sites (and on their mirror image, equivariant flows), the
    /// transform's parameters [c·V + s]; then φ and Σ log det.</summary>
    public sealed record Tape(double[] Latent, double[][] Inputs, NetTape[] Nets, NetTape?[] MirrorNets, double[][] Parameters, double[] Phi, double LogDet);

    /// <summary>
    /// φ = f(z) for one sample, with Σ log det and everything the backward needs. An equivariant coupling averages its
    /// net over the group: p = ½[n(u) + P n(−u)] with u the frozen sites, P = diag(+1, −1) on (s, t) (affine), (−1) on t
    /// (additive).
    /// </summary>
    public Tape Forward(double[] z)
    {
        var inputs = new double[arch.Layers + 1][];
        var nets = new NetTape[arch.Layers];
        var mirrors = new NetTape?[arch.Layers];
        var parameters = new double[arch.Layers][];
        double logDet = 0;
        inputs[0] = z;
        if (arch.SpectrumScaling)
        {
            var sigma = Spectrum();
            inputs[0] = Circulant(sigma, z);
            logDet += sigma.Sum(Math.Log);
        }
        int channels = arch.Channels[^1];
        for (int l = 0; l < arch.Layers; l++)
        {
            var x = inputs[l];
            var masked = new double[V];
            for (int s = 0; s < V; s++) masked[s] = Active(l, s / _ly, s % _ly) ? 0 : x[s];
            int offset = l * PerNet;
            var (pre, outs) = Net(l, masked, ref offset);
            nets[l] = new NetTape(pre, outs);
            var st = outs[^1];
            if (arch.Equivariant)
            {
                offset = l * PerNet;
                var (mpre, mouts) = Net(l, [.. masked.Select(v => -v)], ref offset);
                mirrors[l] = new NetTape(mpre, mouts);
                st = new double[channels * V];
                for (int c = 0; c < channels; c++)
                    for (int s = 0; s < V; s++) st[c * V + s] = 0.5 * (outs[^1][c * V + s] + MirrorSign(c) * mouts[^1][MirrorChannel(c) * V + s]);
            }
            parameters[l] = st;
            var y = new double[V];
            for (int s = 0; s < V; s++)
            {
                if (!Active(l, s / _ly, s % _ly)) { y[s] = x[s]; continue; }
                if (arch.Coupling == CouplingKind.Spline)
                {
                    y[s] = _spline.Forward(x[s], SiteChannels(st, s), out double lj);
                    logDet += lj;
                }
                else if (arch.Coupling == CouplingKind.Affine)
                {
                    double ls = LogScale(st[s]);
                    y[s] = x[s] * Math.Exp(ls) + st[V + s];
                    logDet += ls;
                }
                else y[s] = x[s] + st[s];
            }
            inputs[l + 1] = y;
        }
        var phi = inputs[^1];
        if (arch.GlobalScale)
        {
            double a = Theta[GlobalIndex];
            phi = [.. phi.Select(v => v * Math.Exp(a))];
            logDet += V * a;
        }
        return new Tape(z, inputs, nets, mirrors, parameters, phi, logDet);
    }

    private int GlobalIndex => arch.Layers * PerNet;

    private int SpectrumIndex => GlobalIndex + (arch.GlobalScale ? 1 : 0);

    /// <summary>∂ln σ(k)/∂c_j of the spectrum scaling's parameters, [k][j]: ln σ is the zero mode's value at k = 0, else
    /// linear in ln p̂² between the values at knots p̂² = 8·2^−i (i = 0 … 11), held constant below the last; knot 1 has the
    /// smallest p̂², and the values are sums of the parameters (the layer's documentation).</summary>
    private double[][] SpectrumBasis()
    {
        const int knots = 12;
        var basis = new double[V][];
        for (int kx = 0; kx < _lx; kx++)
            for (int ky = 0; ky < _ly; ky++)
            {
                var row = new double[knots + 1];
                basis[kx * _ly + ky] = row;
                if (kx == 0 && ky == 0) { row[0] = 1; continue; }
                double p2 = LatticeFlow.Physics.LatticeMomentum.Squared(kx, _lx) + LatticeFlow.Physics.LatticeMomentum.Squared(ky, _ly);
                double position = Math.Log2(p2 / 8) + knots - 1; // 0 at the smallest knot, 11 at p̂² = 8
                if (position <= 0) { row[1] = 1; continue; }
                int i = Math.Min((int)Math.Floor(position), knots - 2);
                double w = position - i;
                row[1 + i] = 1 - w;
                row[2 + i] = w;
            }
        // The parameters are steps between knots: the value at knot m is Σ_{i ≥ m} c_i, so ∂ln σ/∂c_i = Σ_{m ≤ i} ∂ln σ/∂(value at m).
        foreach (var row in basis)
            for (int i = 1; i < row.Length; i++) row[i] += row[i - 1];
        return basis;
    }

    /// <summary>σ(k) per momentum k = (k_x, k_y) at index k_x·L_y + k_y.</summary>
    private double[] Spectrum() =>
        [.. SpectrumBasis().Select(row => Math.Exp(row.Select((b, j) => b * Theta[SpectrumIndex + j]).Sum()))];

    /// <summary>u(x) = Σ_x' K(x − x') z(x'), K(r) = (1/V) Σ_k σ(k) cos(k·r), with weights σ(k) per momentum.</summary>
    private double[] Circulant(double[] sigma, double[] z)
    {
        var u = new double[V];
        for (int x = 0; x < _lx; x++)
            for (int y = 0; y < _ly; y++)
                for (int x2 = 0; x2 < _lx; x2++)
                    for (int y2 = 0; y2 < _ly; y2++)
                        u[x * _ly + y] += Kernel(sigma, x - x2, y - y2) * z[x2 * _ly + y2];
        return u;
    }

    private double Kernel(double[] sigma, int rx, int ry)
    {
        double sum = 0;
        for (int kx = 0; kx < _lx; kx++)
            for (int ky = 0; ky < _ly; ky++)
                sum += sigma[kx * _ly + ky] * Math.Cos(2 * Math.PI * ((double)kx * rx / _lx + (double)ky * ry / _ly));
        return sum / V;
    }

    private int PerNet
    {
        get
        {
            var ch = arch.Channels;
            int n = 0;
            for (int j = 0; j + 1 < ch.Length; j++) n += ch[j + 1] * ch[j] * _k * _k + ch[j + 1];
            return n;
        }
    }

    /// <summary>
    /// The mirror of the transform's parameters, g(−x; P p) = −g(x; p): affine (s, t) → (s, −t), additive t → −t, the
    /// spline's bins and interior knots in reverse order (P p)_c = p_{MirrorChannel(c)}.
    /// </summary>
    private double MirrorSign(int channel) => arch.Coupling switch
    {
        CouplingKind.Spline => 1,
        CouplingKind.Affine when channel == 0 => 1,
        _ => -1,
    };

    private int MirrorChannel(int channel)
    {
        if (arch.Coupling != CouplingKind.Spline) return channel;
        int k = arch.Bins;
        return channel < 2 * k ? channel / k * k + (k - 1 - channel % k) : 5 * k - 2 - channel;
    }

    private double LogScale(double raw) => arch.Clamp > 0 ? raw / (1 + Math.Abs(raw) / arch.Clamp) : raw;

    private double LogScaleDerivative(double raw) => arch.Clamp > 0 ? 1 / Math.Pow(1 + Math.Abs(raw) / arch.Clamp, 2) : 1;

    public static double LogPrior(double[] z) => -0.5 * z.Sum(v => v * v) - 0.5 * z.Length * Math.Log(2 * Math.PI);

    /// <summary>S = Σ_x [Σ_μ (φ(x+μ̂) − φ(x))² + m² φ² + λ φ⁴] and its gradient.</summary>
    public double Action(double[] phi, double m2, double lam, double[]? force = null)
    {
        double s = 0;
        for (int x = 0; x < _lx; x++)
            for (int y = 0; y < _ly; y++)
            {
                double p = phi[Site(x, y)], dx = phi[Site(x + 1, y)] - p, dy = phi[Site(x, y + 1)] - p;
                s += dx * dx + dy * dy + m2 * p * p + lam * p * p * p * p;
                if (force is not null)
                {
                    double nb = phi[Site(x + 1, y)] + phi[Site(x - 1, y)] + phi[Site(x, y + 1)] + phi[Site(x, y - 1)];
                    force[Site(x, y)] = 2 * (4 + m2) * p - 2 * nb + 4 * lam * p * p * p;
                }
            }
        return s;
    }

    /// <summary>Reverse-KL loss (1/B) Σ [log r(z) − log det + S(φ)] of a batch of latents.</summary>
    public double Loss(double[][] zs, double m2, double lam) =>
        zs.Average(z => { var t = Forward(z); return LogPrior(z) - t.LogDet + Action(t.Phi, m2, lam); });

    /// <summary>∂Loss/∂θ by hand-written backprop through <see cref="Forward"/>.</summary>
    public double[] LossGradient(double[][] zs, double m2, double lam)
    {
        var grad = new double[Theta.Length];
        foreach (var z in zs)
        {
            var tape = Forward(z);
            var g = new double[V];
            Action(tape.Phi, m2, lam, g);
            for (int s = 0; s < V; s++) g[s] /= zs.Length;
            Backward(tape, g, -1.0 / zs.Length, grad);
        }
        return grad;
    }

    /// <summary>Back-propagates ∂L/∂φ and ∂L/∂(log det) = logDetGrad, accumulating ∂L/∂θ.</summary>
    public void Backward(Tape tape, double[] g, double logDetGrad, double[] grad)
    {
        int channels = arch.Channels[^1];
        if (arch.GlobalScale)
        {
            // φ = e^a y: ∂L/∂a = Σ g φ + V ∂L/∂(log det); ∂L/∂y = e^a g.
            double a = Theta[GlobalIndex];
            grad[GlobalIndex] += g.Zip(tape.Phi, (gi, p) => gi * p).Sum() + V * logDetGrad;
            g = [.. g.Select(v => v * Math.Exp(a))];
        }
        for (int l = arch.Layers - 1; l >= 0; l--)
        {
            var x = tape.Inputs[l];
            var st = tape.Parameters[l];
            var gst = new double[st.Length];
            var gx = new double[V];
            for (int s = 0; s < V; s++)
            {
                if (!Active(l, s / _ly, s % _ly)) { gx[s] = g[s]; continue; }
                if (arch.Coupling == CouplingKind.Spline)
                {
                    var (gxs, gch) = _spline.Backward(x[s], SiteChannels(st, s), g[s], logDetGrad);
                    gx[s] = gxs;
                    for (int c = 0; c < gch.Length; c++) gst[c * V + s] = gch[c];
                }
                else if (arch.Coupling == CouplingKind.Affine)
                {
                    double e = Math.Exp(LogScale(st[s]));
                    gx[s] = g[s] * e;
                    gst[s] = (g[s] * x[s] * e + logDetGrad) * LogScaleDerivative(st[s]);
                    gst[V + s] = g[s];
                }
                else { gx[s] = g[s]; gst[s] = g[s]; }
            }
            double[] gIn;
            if (tape.MirrorNets[l] is NetTape mirror)
            {
                // p = ½[n(u) + P n(−u)]: ½ gst into n(u), ½ P gst into n(−u), whose input gradient enters with a minus sign.
                var half = gst.Select(v => 0.5 * v).ToArray();
                var mirrored = new double[gst.Length];
                for (int c = 0; c < channels; c++)
                    for (int s = 0; s < V; s++) mirrored[MirrorChannel(c) * V + s] = 0.5 * MirrorSign(c) * gst[c * V + s];
                gIn = NetBackward(l, tape.Nets[l], half, grad);
                var gMirror = NetBackward(l, mirror, mirrored, grad);
                for (int s = 0; s < V; s++) gIn[s] -= gMirror[s];
            }
            else gIn = NetBackward(l, tape.Nets[l], gst, grad);
            for (int s = 0; s < V; s++) if (!Active(l, s / _ly, s % _ly)) gx[s] += gIn[s];
            g = gx;
        }
        if (arch.SpectrumScaling)
        {
            // u = K z, K(r) = (1/V) Σ_k σ(k) cos(k·r): ∂L/∂ln σ(k) = σ(k)/V Σ_{x,x'} g(x) cos(k·(x − x')) z(x') + ∂L/∂(log det).
            var sigma = Spectrum();
            var basis = SpectrumBasis();
            for (int kx = 0; kx < _lx; kx++)
                for (int ky = 0; ky < _ly; ky++)
                {
                    int k = kx * _ly + ky;
                    var single = new double[V];
                    single[k] = sigma[k];
                    double d = g.Zip(Circulant(single, tape.Latent), (gi, ui) => gi * ui).Sum() + logDetGrad;
                    for (int j = 0; j < basis[k].Length; j++) grad[SpectrumIndex + j] += basis[k][j] * d;
                }
        }
    }

    /// <summary>Back-propagates ∂L/∂(net output) through coupling <paramref name="l"/>'s net, accumulating ∂L/∂θ; returns ∂L/∂(net input).</summary>
    private double[] NetBackward(int l, NetTape net, double[] gOut, double[] grad)
    {
        var ch = arch.Channels;
        int nConv = ch.Length - 1;
        int end = (l + 1) * PerNet;
        for (int j = nConv - 1; j >= 0; j--)
        {
            int cin = ch[j], cout = ch[j + 1];
            int b0 = end - cout, w0 = b0 - cout * cin * _k * _k;
            end = w0;
            var pre = net.Pre[j];
            var input = net.Outs[j];
            var gPre = new double[cout * V];
            for (int q = 0; q < gPre.Length; q++) gPre[q] = gOut[q] * ActPrime(Code(j, nConv), pre[q]);
            var gIn = new double[cin * V];
            for (int o = 0; o < cout; o++)
                for (int xx = 0; xx < _lx; xx++)
                    for (int yy = 0; yy < _ly; yy++)
                    {
                        double gp = gPre[o * V + xx * _ly + yy];
                        grad[b0 + o] += gp;
                        for (int i = 0; i < cin; i++)
                            for (int a = -_r; a <= _r; a++)
                                for (int c = -_r; c <= _r; c++)
                                {
                                    int wi = w0 + ((o * cin + i) * _k + a + _r) * _k + c + _r, si = i * V + Site(xx + a, yy + c);
                                    grad[wi] += gp * input[si];
                                    gIn[si] += gp * Theta[wi];
                                }
                    }
            gOut = gIn;
        }
        return gOut;
    }
}
