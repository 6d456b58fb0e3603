using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Flows;

/// <summary>
/// The conv net of one coupling layer (tutorial arXiv:2101.08176, make_conv_net): channels 1 → hidden… → outputs,
/// the hidden activation after every layer but the last, and tanh after the last when asked. It keeps every layer's
/// output for its batch capacity, so Backward can follow the last Forward; the final layer is computed only on the
/// active colour, the only sites the coupling reads.
/// </summary>
public sealed class ConvNet : IDisposable
{
    private readonly Conv2d[] _layers;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _outputs, _grads;
    private readonly FlowLattice _lattice;
    private readonly ComputeDevice _device;
    private ArrayView<float> _input;

    public int Capacity { get; private set; }
    public IReadOnlyList<Conv2d> Layers => _layers;
    public int Outputs => _layers[^1].Out;

    public ConvNet(ParameterStore store, FlowLattice lattice, int[] channels, ActivationKind hidden, bool finalTanh)
    {
        _lattice = lattice;
        _device = store.Device;
        _layers = new Conv2d[channels.Length - 1];
        for (int j = 0; j < _layers.Length; j++)
        {
            bool last = j == _layers.Length - 1;
            int act = last ? (finalTanh ? ActivationCode.Tanh : ActivationCode.Identity) : ActivationNames.Code(hidden);
            _layers[j] = new Conv2d(store, lattice, channels[j], channels[j + 1], act);
        }
        _outputs = new MemoryBuffer1D<float, Stride1D.Dense>[_layers.Length];
        _grads = new MemoryBuffer1D<float, Stride1D.Dense>[_layers.Length];
    }

    /// <summary>Makes room for batches of up to <paramref name="batch"/> samples.</summary>
    public void EnsureCapacity(int batch)
    {
        if (batch <= Capacity) return;
        for (int j = 0; j < _layers.Length; j++)
        {
            _outputs[j]?.Dispose();
            _grads[j]?.Dispose();
            long n = (long)batch * _layers[j].Out * _lattice.Volume;
            _outputs[j] = _device.Allocate<float>(n);
            _grads[j] = _device.Allocate<float>(n);
        }
        Capacity = batch;
    }

    /// <summary>Runs the net on [batch, 1, V] input; the output [batch, outputs, V] is valid on sites of colour <paramref name="parity"/>.</summary>
    public ArrayView<float> Forward(int batch, ArrayView<float> input, int parity)
    {
        _input = input;
        var x = input;
        for (int j = 0; j < _layers.Length; j++)
        {
            _layers[j].Forward(batch, x, _outputs[j].View, j == _layers.Length - 1 ? parity : -1);
            x = _outputs[j].View;
        }
        return x;
    }

    /// <summary>The net output of the last Forward.</summary>
    public ArrayView<float> LastOutput => _outputs[^1].View;

    /// <summary>Where the caller writes ∂L/∂(net output) before <see cref="Backward"/>.</summary>
    public ArrayView<float> OutputGradient => _grads[^1].View;

    /// <summary>
    /// Back-propagates <see cref="OutputGradient"/> (non-zero on colour <paramref name="parity"/> only) through the last
    /// Forward, accumulating parameter gradients; ∂L/∂input is written to <paramref name="gradInput"/> on colour <paramref name="inputParity"/>.
    /// </summary>
    public void Backward(int batch, int parity, ArrayView<float> gradInput, int inputParity)
    {
        for (int j = _layers.Length - 1; j >= 0; j--)
        {
            ArrayView<float> x = j == 0 ? _input : (ArrayView<float>)_outputs[j - 1].View;
            ArrayView<float> gx = j == 0 ? gradInput : (ArrayView<float>)_grads[j - 1].View;
            _layers[j].Backward(batch, x, _outputs[j].View, _grads[j].View, gx, j == _layers.Length - 1 ? parity : -1, j == 0 ? inputParity : -1);
        }
    }

    public void Dispose()
    {
        foreach (var b in _outputs) b?.Dispose();
        foreach (var b in _grads) b?.Dispose();
    }
}
