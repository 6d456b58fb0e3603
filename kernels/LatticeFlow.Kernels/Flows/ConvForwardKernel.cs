namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// Periodic convolution with fused bias and activation:
/// out[b, o, s] = act( bias[o] + Σ_i Σ_k w[o, i, k] · in[b, i, nbr(s, k)] ),
/// nbr(s, k) the site displaced by tap k (circular padding). Weights stored [o, i, k].
/// Sites of the wrong colour are skipped when <c>shape.Parity</c> ≥ 0 (left as they were: zero).
/// </summary>
public readonly struct ConvForwardKernel<TF, TI>(ConvShape shape, TF input, TF weights, TF bias,
    TI neighbours, TI parity, TF output, int activation) : IRebindableKernel
    where TF : struct, IView<float> where TI : struct, IView<int>
{
    private readonly ConvShape _shape = shape;
    private readonly TF _input = input, _weights = weights, _bias = bias, _output = output;
    private readonly TI _neighbours = neighbours, _parity = parity;
    private readonly int _activation = activation;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new ConvForwardKernel<HostView<float>, HostView<int>>(_shape, _input.Host, _weights.Host, _bias.Host, _neighbours.Host, _parity.Host, _output.Host, _activation));

    public void Execute(int index)
    {
        var c = _shape;
        c.Locate(index, out int b, out int s0);
        int v = c.Volume, taps = c.Taps, cin = c.InChannels;
        int inBase = b * cin * v;
        for (int s = s0; s < s0 + c.Width; s++)
        {
            if (c.Parity >= 0 && _parity[s] != c.Parity) continue;
            int nb = s * taps;
            for (int o = 0; o < c.OutChannels; o++)
            {
                float acc = _bias[o];
                int w = o * cin * taps;
                for (int i = 0; i < cin; i++)
                {
                    int ib = inBase + i * v;
                    for (int k = 0; k < taps; k++) acc += _weights[w + k] * _input[ib + _neighbours[nb + k]];
                    w += taps;
                }
                _output[(b * c.OutChannels + o) * v + s] = ActivationCode.Apply(_activation, acc);
            }
        }
    }
}
