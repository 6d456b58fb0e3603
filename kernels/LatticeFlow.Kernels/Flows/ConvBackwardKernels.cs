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
        TF gradOut = _gradOut, weights = _weights;
        TI neighbours = _neighbours, parity = _parity;
        int stride = cin * taps, gBase = b * cout * v;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            if (_inputParity >= 0 && parity[s] != _inputParity) continue;
            int nb = s * taps;
            // Four input channels at a time share each gradient load (as in the forward kernel).
            for (int i = 0; i < cin; i += 4)
            {
                int i1 = ConvShape.Clamp(i + 1, cin), i2 = ConvShape.Clamp(i + 2, cin), i3 = ConvShape.Clamp(i + 3, cin);
                float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
                for (int k = 0; k < taps; k++)
                {
                    int t = neighbours[nb + taps - 1 - k];
                    if (c.Parity >= 0 && parity[t] != c.Parity) continue;
                    int w = k, g = gBase + t;
                    for (int o = 0; o < cout; o++)
                    {
                        float go = gradOut[g];
                        a0 += weights[w + i * taps] * go;
                        a1 += weights[w + i1 * taps] * go;
                        a2 += weights[w + i2 * taps] * go;
                        a3 += weights[w + i3 * taps] * go;
                        w += stride;
                        g += v;
                    }
                }
                int gi = (b * cin + i) * v + s;
                _gradIn[gi] = a0;
                if (i + 1 < cin) _gradIn[gi + v] = a1;
                if (i + 2 < cin) _gradIn[gi + 2 * v] = a2;
                if (i + 3 < cin) _gradIn[gi + 3 * v] = a3;
            }
        }
    }
}

/// <summary>
/// Parameter gradients of a convolution, accumulated (+=): gw[o, i, k] += Σ_b Σ_s g[b, o, s] · in[b, i, nbr(s, k)]
/// and gb[o] += Σ_b Σ_s g[b, o, s]. Within a slice of samples (<see cref="ConvShape.Slices"/>), item j &lt; ⌈Cout/4⌉·Cin·taps
/// computes the weights (o..o+3, i, k) of a group of four output channels, which share each input load; the last Cout
/// items are the biases. With one slice the sums go straight into the gradients; with several, each slice writes its
/// sums to <c>partial</c> [slice, weights then biases] and <see cref="ConvGradSliceSumKernel{TF, TD}"/> adds them up.
/// Summed in double in a fixed order: deterministic, no atomics.
/// </summary>
public readonly struct ConvWeightGradKernel<TF, TI, TD>(ConvShape shape, TF gradOut, TF input,
    TI neighbours, TI parity, TF gradWeights, TF gradBias, TD partial) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int> where TD : struct, IView<double>
{
    private readonly ConvShape _shape = shape;
    private readonly TF _gradOut = gradOut, _input = input, _gradWeights = gradWeights, _gradBias = gradBias;
    private readonly TI _neighbours = neighbours, _parity = parity;
    private readonly TD _partial = partial;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new ConvWeightGradKernel<HostView<float>, HostView<int>, HostView<double>>(_shape, _gradOut.Host, _input.Host, _neighbours.Host, _parity.Host,
            _gradWeights.Host, _gradBias.Host, _partial.Host));

    public void Execute(int index)
    {
        var c = _shape;
        int v = c.Volume, taps = c.Taps, cin = c.InChannels, cout = c.OutChannels;
        int nw = (cout + 3) / 4 * cin * taps, perSlice = nw + cout;
        int slice = index / perSlice;
        index -= slice * perSlice;
        int samples = (c.Batch + c.Slices - 1) / c.Slices;
        int b0 = slice * samples, b1 = b0 + samples < c.Batch ? b0 + samples : c.Batch;
        int outputs = cout * cin * taps;
        TF gradOut = _gradOut, input = _input;
        TI neighbours = _neighbours, parity = _parity;
        if (index >= nw)
        {
            int ob = index - nw;
            double acc = 0.0;
            for (int b = b0; b < b1; b++)
            {
                int gb = (b * cout + ob) * v;
                for (int s = 0; s < v; s++) acc += gradOut[gb + s];
            }
            if (c.Slices == 1) _gradBias[ob] += (float)acc;
            else _partial[slice * c.Parameters + outputs + ob] = acc;
            return;
        }
        int o = index / (cin * taps) * 4;
        int rem = index % (cin * taps);
        int i = rem / taps, k = rem - i * taps;
        int d1 = ConvShape.Clamp(o + 1, cout) - o, d2 = ConvShape.Clamp(o + 2, cout) - o, d3 = ConvShape.Clamp(o + 3, cout) - o;
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        for (int b = b0; b < b1; b++)
        {
            int g0 = (b * cout + o) * v, ib = (b * cin + i) * v;
            int g1 = g0 + d1 * v, g2 = g0 + d2 * v, g3 = g0 + d3 * v;
            for (int s = 0; s < v; s++)
            {
                if (c.Parity >= 0 && parity[s] != c.Parity) continue;
                float x = input[ib + neighbours[s * taps + k]];
                a0 += gradOut[g0 + s] * x;
                a1 += gradOut[g1 + s] * x;
                a2 += gradOut[g2 + s] * x;
                a3 += gradOut[g3 + s] * x;
            }
        }
        int w = (o * cin + i) * taps + k, step = cin * taps;
        if (c.Slices == 1)
        {
            _gradWeights[w] += (float)a0;
            if (o + 1 < cout) _gradWeights[w + step] += (float)a1;
            if (o + 2 < cout) _gradWeights[w + 2 * step] += (float)a2;
            if (o + 3 < cout) _gradWeights[w + 3 * step] += (float)a3;
            return;
        }
        int p = slice * c.Parameters + w;
        _partial[p] = a0;
        if (o + 1 < cout) _partial[p + step] = a1;
        if (o + 2 < cout) _partial[p + 2 * step] = a2;
        if (o + 3 < cout) _partial[p + 3 * step] = a3;
    }
}

/// <summary>
/// The slices' parameter-gradient sums of <see cref="ConvWeightGradKernel{TF, TI, TD}"/> added up in slice order and
/// accumulated into the gradients: item j &lt; <c>weights</c> is a weight, the rest are biases.
/// </summary>
public readonly struct ConvGradSliceSumKernel<TF, TD>(TD partial, int slices, int weights, int biases, TF gradWeights, TF gradBias) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    private readonly TD _partial = partial;
    private readonly TF _gradWeights = gradWeights, _gradBias = gradBias;
    private readonly int _slices = slices, _weights = weights, _biases = biases;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new ConvGradSliceSumKernel<HostView<float>, HostView<double>>(_partial.Host, _slices, _weights, _biases, _gradWeights.Host, _gradBias.Host));

    public void Execute(int index)
    {
        int outputs = _weights + _biases;
        double sum = 0.0;
        for (int slice = 0; slice < _slices; slice++) sum += _partial[slice * outputs + index];
        if (index < _weights) _gradWeights[index] += (float)sum;
        else _gradBias[index - _weights] += (float)sum;
    }
}
