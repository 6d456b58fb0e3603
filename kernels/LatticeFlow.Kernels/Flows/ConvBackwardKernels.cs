using ILGPU;

namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// Backward of an activation in place: g ← g · act′, with act′ read from the stored output y = act(v)
/// (so the pre-activations need not be kept). Items cover <c>width</c> consecutive elements.
/// </summary>
public readonly struct ActivationBackwardKernel(ArrayView<float> output, ArrayView<float> gradient, int activation, int width) : IKernel
{
    private readonly ArrayView<float> _output = output, _gradient = gradient;
    private readonly int _activation = activation, _width = width;

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
public readonly struct ConvInputGradKernel(ConvShape shape, ArrayView<float> gradOut, ArrayView<float> weights,
    ArrayView<int> neighbours, ArrayView<int> parity, ArrayView<float> gradIn, int inputParity) : IKernel
{
    private readonly ConvShape _shape = shape;
    private readonly ArrayView<float> _gradOut = gradOut, _weights = weights, _gradIn = gradIn;
    private readonly ArrayView<int> _neighbours = neighbours, _parity = parity;
    private readonly int _inputParity = inputParity;

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
public readonly struct ConvWeightGradKernel(ConvShape shape, ArrayView<float> gradOut, ArrayView<float> input,
    ArrayView<int> neighbours, ArrayView<int> parity, ArrayView<float> gradWeights, ArrayView<float> gradBias) : IKernel
{
    private readonly ConvShape _shape = shape;
    private readonly ArrayView<float> _gradOut = gradOut, _input = input, _gradWeights = gradWeights, _gradBias = gradBias;
    private readonly ArrayView<int> _neighbours = neighbours, _parity = parity;

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
