namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// Backward of an activation in place: g ← g · act′, with act′ read from the stored output y = act(v)
/// (so the pre-activations need not be kept). Items cover <c>width</c> consecutive elements.
/// </summary>
public readonly struct ActivationBackwardKernel<TF>(TF output, TF gradient, int activation, int width) : IRebindableKernel
    where TF : struct, IView<float>
{
    private readonly TF _output = output, _gradient = gradient;
    private readonly int _activation = activation, _width = width;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new ActivationBackwardKernel<HostView<float>>(_output.Host, _gradient.Host, _activation, _width));

    public void Execute(int index)
    {
        int start = index * _width;
        for (int j = start; j < start + _width; j++) _gradient[j] *= ActivationCode.Derivative(_activation, _output[j]);
    }
}

/// <summary>
/// Gradient with respect to the conv input (the transposed convolution):
/// gin[b, i, s] = Σ_o Σ_k w[o, i, k] · g[b, o, nbr(s, −k)]; tap −k is tap (taps − 1 − k) for the centred,
/// row-major tap order. Output sites of the wrong colour (shape.Parity) carry no gradient and are skipped;
/// <c>inputParity</c> ≥ 0 computes only input sites of that colour (the others are not needed).
/// </summary>
public readonly struct ConvInputGradKernel<TF, TI>(ConvShape shape, TF gradOut, TF weights,
    TI neighbours, TI parity, TF gradIn, int inputParity) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    private readonly ConvShape _shape = shape;
    private readonly TF _gradOut = gradOut, _weights = weights, _gradIn = gradIn;
    private readonly TI _neighbours = neighbours, _parity = parity;
    private readonly int _inputParity = inputParity;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new ConvInputGradKernel<HostView<float>, HostView<int>>(_shape, _gradOut.Host, _weights.Host, _neighbours.Host, _parity.Host, _gradIn.Host, _inputParity));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        int v = c.Volume, taps = c.Taps, cin = c.InChannels, cout = c.OutChannels;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            if (_inputParity >= 0 && _parity[s] != _inputParity) continue;
            int nb = s * taps;
            for (int i = 0; i < cin; i++)
            {
                float acc = 0f;
                for (int o = 0; o < cout; o++)
                {
                    int gb = (b * cout + o) * v;
                    int w = (o * cin + i) * taps;
                    for (int k = 0; k < taps; k++)
                    {
                        int t = _neighbours[nb + taps - 1 - k];
                        if (c.Parity >= 0 && _parity[t] != c.Parity) continue;
                        acc += _weights[w + k] * _gradOut[gb + t];
                    }
                }
                _gradIn[(b * cin + i) * v + s] = acc;
            }
        }
    }
}

/// <summary>
/// Parameter gradients of a convolution, accumulated (+=): item j &lt; Cout·Cin·taps is weight (o, i, k) with
/// gw += Σ_b Σ_s g[b, o, s] · in[b, i, nbr(s, k)]; the last Cout items are the biases, gb += Σ_b Σ_s g[b, o, s].
/// One item per parameter, summed in double in a fixed order: deterministic, no atomics.
/// </summary>
public readonly struct ConvWeightGradKernel<TF, TI>(ConvShape shape, TF gradOut, TF input,
    TI neighbours, TI parity, TF gradWeights, TF gradBias) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    private readonly ConvShape _shape = shape;
    private readonly TF _gradOut = gradOut, _input = input, _gradWeights = gradWeights, _gradBias = gradBias;
    private readonly TI _neighbours = neighbours, _parity = parity;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new ConvWeightGradKernel<HostView<float>, HostView<int>>(_shape, _gradOut.Host, _input.Host, _neighbours.Host, _parity.Host, _gradWeights.Host, _gradBias.Host));

    public void Execute(int index)
    {
        var c = _shape;
        int v = c.Volume, taps = c.Taps, cin = c.InChannels, cout = c.OutChannels;
        int nw = cout * cin * taps;
        double acc = 0.0;
        if (index >= nw)
        {
            int ob = index - nw;
            for (int b = 0; b < c.Batch; b++)
            {
                int gb = (b * cout + ob) * v;
                for (int s = 0; s < v; s++) acc += _gradOut[gb + s];
            }
            _gradBias[ob] += (float)acc;
            return;
        }
        int o = index / (cin * taps);
        int rem = index - o * cin * taps;
        int i = rem / taps, k = rem - i * taps;
        for (int b = 0; b < c.Batch; b++)
        {
            int gb = (b * cout + o) * v, ib = (b * cin + i) * v;
            for (int s = 0; s < v; s++)
            {
                if (c.Parity >= 0 && _parity[s] != c.Parity) continue;
                acc += _gradOut[gb + s] * _input[ib + _neighbours[s * taps + k]];
            }
        }
        _gradWeights[index] += (float)acc;
    }
}
