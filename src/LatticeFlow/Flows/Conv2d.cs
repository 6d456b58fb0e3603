using ILGPU;
using LatticeFlow.Devices;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Flows;

/// <summary>
/// A periodic 2D convolution In → Out channels with bias and a fused activation:
/// y[b, o, s] = act(bias[o] + Σ_i Σ_k w[o, i, k] x[b, i, s + δ_k]) (PyTorch Conv2d with padding_mode = "circular").
/// Forward writes y; Backward takes ∂L/∂y (overwritten with ∂L/∂(pre-activation)), accumulates ∂L/∂w and
/// ∂L/∂bias into the parameter store and writes ∂L/∂x when asked (Torch7's updateGradInput + accGradParameters).
/// </summary>
public sealed class Conv2d
{
    private readonly ParameterStore _store;
    private readonly FlowLattice _lattice;

    public int In { get; }
    public int Out { get; }
    public int Activation { get; }
    public int WeightOffset { get; }
    public int BiasOffset { get; }
    public int WeightCount => Out * In * _lattice.Taps;

    /// <param name="activation">An <see cref="ActivationCode"/>.</param>
    public Conv2d(ParameterStore store, FlowLattice lattice, int inChannels, int outChannels, int activation)
    {
        _store = store;
        _lattice = lattice;
        In = inChannels;
        Out = outChannels;
        Activation = activation;
        WeightOffset = store.Take(WeightCount);
        BiasOffset = store.Take(Out);
    }

    private ComputeDevice Device => _store.Device;

    private ConvShape Shape(int batch, int parity) => new(batch, _lattice.Volume, In, Out, _lattice.Taps,
        Device.ItemWidth(_lattice.Volume), parity, slices: Device.ThreadPerItem ? batch : 1, rowLength: _lattice.Ly);

    /// <summary>y = act(conv(x) + bias); <paramref name="parity"/> ≥ 0 computes only sites of that colour.</summary>
    public void Forward(int batch, ArrayView<float> x, ArrayView<float> y, int parity = -1)
    {
        var c = Shape(batch, parity);
        Device.Launch(c.Items, Work(batch), new ConvForwardKernel<Floats, Ints>(c, x, _store.ValuesAt(WeightOffset, WeightCount), _store.ValuesAt(BiasOffset, Out),
            _lattice.Neighbours, _lattice.Parity, y, Activation));
    }

    /// <param name="x">The input of the forward pass.</param>
    /// <param name="y">The output of the forward pass (the activation's derivative is read from it).</param>
    /// <param name="gradY">∂L/∂y on entry, ∂L/∂(pre-activation) on return.</param>
    /// <param name="gradX">Receives ∂L/∂x, or null when no one needs it (the first layer sees no trainable input).</param>
    /// <param name="parity">The output colour of the forward pass (−1: all sites).</param>
    /// <param name="inputParity">≥ 0: ∂L/∂x only on sites of that colour.</param>
    public void Backward(int batch, ArrayView<float> x, ArrayView<float> y, ArrayView<float> gradY, ArrayView<float>? gradX, int parity = -1, int inputParity = -1)
    {
        var c = Shape(batch, parity);
        int n = batch * Out * _lattice.Volume;
        if (Activation != ActivationCode.Identity)
        {
            int width = Device.ItemWidth(_lattice.Volume);
            Device.Launch(n / width, n, new ActivationBackwardKernel<Floats>(y.SubView(0, n), gradY, Activation, width));
        }
        var gradWeights = _store.GradientsAt(WeightOffset, WeightCount);
        var gradBias = _store.GradientsAt(BiasOffset, Out);
        var partial = _store.Scratch((long)c.Slices * c.Parameters);
        Device.Launch(c.WeightGradItems, Work(batch), new ConvWeightGradKernel<Floats, Ints, Reals>(c, gradY, x, _lattice.Neighbours, _lattice.Parity,
            gradWeights, gradBias, partial));
        if (c.Slices > 1)
            Device.Launch(c.Parameters, (long)c.Slices * c.Parameters, new ConvGradSliceSumKernel<Floats, Reals>(partial, c.Slices, WeightCount, Out, gradWeights, gradBias));
        if (gradX is ArrayView<float> gx)
            Device.Launch(c.Items, Work(batch), new ConvInputGradKernel<Floats, Ints>(c, gradY, _store.ValuesAt(WeightOffset, WeightCount),
                _lattice.Neighbours, _lattice.Parity, gx, inputParity));
    }

    // Work estimate for the launcher (in site-equivalents): sites × the multiply-adds done per site.
    private long Work(int batch) => (long)batch * _lattice.Volume * In * Out;
}
