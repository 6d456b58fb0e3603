namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// Shape of a checkerboard coupling on a batch of lattices [sample, site]: sites of colour <c>Active</c> are
/// transformed, the others frozen. <c>Channels</c> is the conv net's output per site, the transform's parameters
/// (<see cref="ICouplingTransform.Channels"/>), stored [sample, channel, site]. Items cover <c>Width</c> sites of one sample.
/// <c>Mirrored</c> = 1 makes the coupling Z2-equivariant by group averaging: the net also runs on the mirrored frozen
/// sites (samples Batch … 2·Batch − 1 of its input and output), and the transform's parameters are
/// p = ½[n(x_f) + P n(−x_f)] (<see cref="MirrorParametersKernel{TF, TI, TT}"/>).
/// </summary>
public readonly struct CouplingShape(int batch, int volume, int width, int active, int channels, int mirrored = 0)
{
    public readonly int Batch = batch, Volume = volume, Width = width, Active = active, Channels = channels, Mirrored = mirrored;

    public int Items => Batch * (Volume / Width);

    public void Locate(int item, out int sample, out int s0)
    {
        int perSample = Volume / Width;
        sample = item / perSample;
        s0 = (item - sample * perSample) * Width;
    }

    /// <summary>The parameters (or their gradients) of site s of sample b in a net output [b, c, s].</summary>
    public SiteParameters<TF> Parameters<TF>(TF netOutput, int b, int s) where TF : struct, IView<float> =>
        new(netOutput, b * Channels * Volume + s, Volume);
}

/// <summary>
/// The transform's parameters of an equivariant (mirrored) coupling on its active sites, by group averaging over Z2:
/// p_c = ½[n_c(x_f) + σ_c n_{m(c)}(−x_f)], with n the net's output on the frozen sites (samples 0 … B − 1) and on their
/// mirror image (samples B … 2B − 1), and (m(c), σ_c) the transform's mirror of its parameters
/// (<see cref="ICouplingTransform.MirrorChannel"/>, <see cref="ICouplingTransform.MirrorSign"/>), for which
/// g(−x; P p) = −g(x; p). Then p(−x_f) = P p(x_f), so the coupling commutes with φ → −φ for any net (biases and any
/// activation) and stays smooth and bijective: averaging over the group, as in Köhler et al., arXiv:2006.02425.
/// </summary>
public readonly struct MirrorParametersKernel<TF, TI, TT>(CouplingShape shape, TI parity, TF netOutput, TF parameters, TT transform) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _netOutput = netOutput, _parameters = parameters;
    private readonly TT _transform = transform;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new MirrorParametersKernel<HostView<float>, HostView<int>, TT>(_shape, _parity.Host, _netOutput.Host, _parameters.Host, _transform));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        for (int s = s0; s < s0 + c.Width; s++)
        {
            if (_parity[s] != c.Active) continue;
            var n = c.Parameters(_netOutput, b, s);
            var mirror = c.Parameters(_netOutput, c.Batch + b, s);
            var p = c.Parameters(_parameters, b, s);
            for (int ch = 0; ch < c.Channels; ch++) p[ch] = 0.5f * (n[ch] + _transform.MirrorSign(ch) * mirror[_transform.MirrorChannel(ch)]);
        }
    }
}

/// <summary>
/// Backward of <see cref="MirrorParametersKernel{TF, TI, TT}"/>: ∂L/∂n_c(x_f) = ½ ∂L/∂p_c and ∂L/∂n_{m(c)}(−x_f) = ½ σ_c ∂L/∂p_c
/// on active sites, 0 elsewhere, into the net's output gradient [2B, C, V].
/// </summary>
public readonly struct MirrorParametersBackwardKernel<TF, TI, TT>(CouplingShape shape, TI parity, TF gradParameters, TF gradNetOutput, TT transform) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _gradParameters = gradParameters, _gradNetOutput = gradNetOutput;
    private readonly TT _transform = transform;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new MirrorParametersBackwardKernel<HostView<float>, HostView<int>, TT>(_shape, _parity.Host, _gradParameters.Host, _gradNetOutput.Host, _transform));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        for (int s = s0; s < s0 + c.Width; s++)
        {
            var gn = c.Parameters(_gradNetOutput, b, s);
            var gm = c.Parameters(_gradNetOutput, c.Batch + b, s);
            bool active = _parity[s] == c.Active;
            var gp = c.Parameters(_gradParameters, b, s);
            for (int ch = 0; ch < c.Channels; ch++)
            {
                float g = active ? 0.5f * gp[ch] : 0f;
                gn[ch] = g;
                gm[_transform.MirrorChannel(ch)] = _transform.MirrorSign(ch) * g;
            }
        }
    }
}

/// <summary>
/// The conv net's input: the frozen sites of x, zero on the active ones (x ⊙ m of Real NVP, arXiv:1605.08803 eq. 9); a
/// mirrored coupling also writes −(x ⊙ m) as sample B + b.
/// </summary>
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
        int o = b * c.Volume, mirror = (c.Batch + b) * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            float v = _parity[s] == c.Active ? 0f : _x[o + s];
            _netInput[o + s] = v;
            if (c.Mirrored != 0) _netInput[mirror + s] = -v;
        }
    }
}

/// <summary>
/// The element-wise transform of the active sites by <typeparamref name="TT"/> (Real NVP, arXiv:1605.08803 eq. 9;
/// Albergo et al. 2019 eq. 14): y = g(x; p) forward, x = g⁻¹(y; p) inverse, p the net output of the frozen sites, with
/// log|∂y/∂x| per site written to <c>logJ</c> (0 on frozen sites, which are copied).
/// </summary>
public readonly struct CouplingTransformKernel<TF, TI, TT>(CouplingShape shape, TI parity, TF source, TF netOutput,
    TF destination, TF logJ, TT transform, int inverse) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _source = source, _netOutput = netOutput, _destination = destination, _logJ = logJ;
    private readonly TT _transform = transform;
    private readonly int _inverse = inverse;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new CouplingTransformKernel<HostView<float>, HostView<int>, TT>(_shape, _parity.Host, _source.Host, _netOutput.Host, _destination.Host, _logJ.Host,
            _transform, _inverse));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        int o = b * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            float v = _source[o + s], lj = 0f;
            if (_parity[s] == c.Active)
            {
                var p = c.Parameters(_netOutput, b, s);
                v = _inverse != 0 ? _transform.Inverse(v, p, out lj) : _transform.Forward(v, p, out lj);
            }
            _destination[o + s] = v;
            _logJ[o + s] = lj;
        }
    }
}

/// <summary>
/// log|det ∂y/∂x| of a coupling, Σ_active log|∂y/∂x| per site (arXiv:1605.08803 eq. 6), summed in double in site order
/// and added to logDet[b] with the given sign. One item per sample.
/// </summary>
public readonly struct CouplingLogDetKernel<TF, TI, TD>(CouplingShape shape, TI parity, TF logJ, TD logDet, double sign) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TD : struct, IView<double>
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _logJ = logJ;
    private readonly TD _logDet = logDet;
    private readonly double _sign = sign;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new CouplingLogDetKernel<HostView<float>, HostView<int>, HostView<double>>(_shape, _parity.Host, _logJ.Host, _logDet.Host, _sign));

    public void Execute(int index)
    {
        var c = _shape;
        double sum = 0.0;
        int o = index * c.Volume;
        for (int s = 0; s < c.Volume; s++)
            if (_parity[s] == c.Active) sum += _logJ[o + s];
        _logDet[index] += _sign * sum;
    }
}

/// <summary>
/// Backward of the forward transform y = g(x; p) with a loss L that also depends on log det through
/// ∂L/∂(log det) = <c>logDetGrad</c> (the same for every sample): on active sites ∂L/∂x and ∂L/∂p from
/// <typeparamref name="TT"/>'s Backward; frozen sites pass g to ∂L/∂x (the net's contribution is added later by <see cref="MaskedAddKernel{TF, TI}"/>) and
/// have no ∂L/∂p (zeros are written). gradY and gradX may be the same buffer.
/// </summary>
public readonly struct CouplingBackwardKernel<TF, TI, TT>(CouplingShape shape, TI parity, TF x, TF netOutput,
    TF gradY, TF gradX, TF gradNetOutput, float logDetGrad, TT transform) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TT : struct, ICouplingTransform
{
    private readonly CouplingShape _shape = shape;
    private readonly TI _parity = parity;
    private readonly TF _x = x, _netOutput = netOutput, _gradY = gradY, _gradX = gradX, _gradNetOutput = gradNetOutput;
    private readonly float _logDetGrad = logDetGrad;
    private readonly TT _transform = transform;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new CouplingBackwardKernel<HostView<float>, HostView<int>, TT>(_shape, _parity.Host, _x.Host, _netOutput.Host,
            _gradY.Host, _gradX.Host, _gradNetOutput.Host, _logDetGrad, _transform));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        int o = b * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            float g = _gradY[o + s];
            var gp = c.Parameters(_gradNetOutput, b, s);
            if (_parity[s] == c.Active)
            {
                _gradX[o + s] = _transform.Backward(_x[o + s], c.Parameters(_netOutput, b, s), g, _logDetGrad, gp);
                continue;
            }
            _gradX[o + s] = g;
            for (int ch = 0; ch < c.Channels; ch++) gp[ch] = 0f;
        }
    }
}

/// <summary>
/// gx[b, s] += gNet[b, s] on the frozen sites: the conv net's input was x ⊙ m, so only they feel it; a mirrored
/// coupling's net also saw −(x ⊙ m) as sample B + b, whose gradient enters with a minus sign.
/// </summary>
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
        int o = b * c.Volume, mirror = (c.Batch + b) * c.Volume;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            if (_parity[s] == c.Active) continue;
            float g = _gradNetInput[o + s];
            if (c.Mirrored != 0) g -= _gradNetInput[mirror + s];
            _gradX[o + s] += g;
        }
    }
}
