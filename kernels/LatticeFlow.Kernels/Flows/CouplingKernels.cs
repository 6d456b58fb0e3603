namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// Shape of a checkerboard coupling on a batch of lattices [sample, site]: sites of colour <c>Active</c> are
/// transformed, the others frozen. <c>Channels</c> is the conv net's output: 2 for affine (log-scale s, shift t),
/// 1 for additive (shift t only, s ≡ 0). Items cover <c>Width</c> sites of one sample.
/// </summary>
public readonly struct CouplingShape(int batch, int volume, int width, int active, int channels)
{
    public readonly int Batch = batch, Volume = volume, Width = width, Active = active, Channels = channels;

    public int Items => Batch * (Volume / Width);

    public void Locate(int item, out int sample, out int s0)
    {
        int perSample = Volume / Width;
        sample = item / perSample;
        s0 = (item - sample * perSample) * Width;
    }

    /// <summary>Offset of the shift t of site s of sample b in the net output [b, c, s].</summary>
    public int Shift(int b, int s) => (b * Channels + Channels - 1) * Volume + s;

    /// <summary>Offset of the log-scale s (affine only).</summary>
    public int LogScale(int b, int s) => b * Channels * Volume + s;
}

/// <summary>The conv net's input: the frozen sites of x, zero on the active ones (x ⊙ m of Real NVP, arXiv:1605.08803 eq. 9).</summary>
public readonly struct CouplingMaskKernel<TF, TI>(CouplingShape shape, TI parity, TF x, TF netInput) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _x = x, _netInput = netInput;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new CouplingMaskKernel<HostView<float>, HostView<int>>(_shape, _parity.Host, _x.Host, _netInput.Host));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        int o = b * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++) _netInput[o + s] = _parity[s] == c.Active ? 0f : _x[o + s];
    }
}

/// <summary>
/// The element-wise transform of the active sites (Real NVP, arXiv:1605.08803 eq. 9; Albergo et al. 2019 eq. 14):
/// forward y = x · e^s + t, inverse x = (y − t) · e^{−s}; frozen sites are copied. Additive (NICE, arXiv:1410.8516): s ≡ 0.
/// </summary>
public readonly struct CouplingTransformKernel<TF, TI>(CouplingShape shape, TI parity, TF source, TF netOutput,
    TF destination, int inverse) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _source = source, _netOutput = netOutput, _destination = destination;
    private readonly int _inverse = inverse;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new CouplingTransformKernel<HostView<float>, HostView<int>>(_shape, _parity.Host, _source.Host, _netOutput.Host, _destination.Host, _inverse));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        int o = b * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            float v = _source[o + s];
            if (_parity[s] == c.Active)
            {
                float t = _netOutput[c.Shift(b, s)];
                if (c.Channels == 2)
                {
                    float ls = _netOutput[c.LogScale(b, s)];
                    v = _inverse != 0 ? (v - t) * ActivationCode.FastExp(-ls) : v * ActivationCode.FastExp(ls) + t;
                }
                else v = _inverse != 0 ? v - t : v + t;
            }
            _destination[o + s] = v;
        }
    }
}

/// <summary>
/// log|det ∂y/∂x| of an affine coupling, Σ_active s (arXiv:1605.08803 eq. 6), summed in double and added
/// to logDet[b] with the given sign. One item per sample.
/// </summary>
public readonly struct CouplingLogDetKernel<TF, TI, TD>(CouplingShape shape, TI parity, TF netOutput, TD logDet, double sign) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TD : struct, IView<double>
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _netOutput = netOutput;
    private readonly TD _logDet = logDet;
    private readonly double _sign = sign;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new CouplingLogDetKernel<HostView<float>, HostView<int>, HostView<double>>(_shape, _parity.Host, _netOutput.Host, _logDet.Host, _sign));

    public void Execute(int index)
    {
        var c = _shape;
        double sum = 0.0;
        for (int s = 0; s < c.Volume; s++)
            if (_parity[s] == c.Active) sum += _netOutput[c.LogScale(index, s)];
        _logDet[index] += _sign * sum;
    }
}

/// <summary>
/// Backward of the forward transform y = x · e^s + t with a loss L that also depends on log det through
/// ∂L/∂(log det) = <c>logDetGrad</c> (the same for every sample): on active sites
/// ∂L/∂x = g e^s, ∂L/∂s = g x e^s + logDetGrad, ∂L/∂t = g; frozen sites pass g to ∂L/∂x (the net's
/// contribution is added later by <see cref="MaskedAddKernel"/>) and have no ∂L/∂(s, t).
/// gradY and gradX may be the same buffer.
/// </summary>
public readonly struct CouplingBackwardKernel<TF, TI>(CouplingShape shape, TI parity, TF x, TF netOutput,
    TF gradY, TF gradX, TF gradNetOutput, float logDetGrad) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _x = x, _netOutput = netOutput, _gradY = gradY, _gradX = gradX, _gradNetOutput = gradNetOutput;
    private readonly float _logDetGrad = logDetGrad;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new CouplingBackwardKernel<HostView<float>, HostView<int>>(_shape, _parity.Host, _x.Host, _netOutput.Host, _gradY.Host, _gradX.Host, _gradNetOutput.Host, _logDetGrad));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        int o = b * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            float g = _gradY[o + s];
            bool active = _parity[s] == c.Active;
            float gx = g, gs = 0f, gt = 0f;
            if (active)
            {
                gt = g;
                if (c.Channels == 2)
                {
                    float e = ActivationCode.FastExp(_netOutput[c.LogScale(b, s)]);
                    gx = g * e;
                    gs = g * _x[o + s] * e + _logDetGrad;
                }
            }
            _gradX[o + s] = gx;
            _gradNetOutput[c.Shift(b, s)] = gt;
            if (c.Channels == 2) _gradNetOutput[c.LogScale(b, s)] = gs;
        }
    }
}

/// <summary>gx[b, s] += gNet[b, s] on the frozen sites: the conv net's input was x ⊙ m, so only they feel it.</summary>
public readonly struct MaskedAddKernel<TF, TI>(CouplingShape shape, TI parity, TF gradNetInput, TF gradX) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _gradNetInput = gradNetInput, _gradX = gradX;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new MaskedAddKernel<HostView<float>, HostView<int>>(_shape, _parity.Host, _gradNetInput.Host, _gradX.Host));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        int o = b * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++)
            if (_parity[s] != c.Active) _gradX[o + s] += _gradNetInput[o + s];
    }
}
