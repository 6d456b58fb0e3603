using ILGPU;
using LatticeFlow.Devices;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Flows;

/// <summary>
/// A learnable global rescaling φ → e^a φ of every site, log|det| = V·a (anvil's GlobalRescaling, Del Debbio et al.,
/// arXiv:2105.12481): one parameter that sets the overall width of the proposals, which the local couplings learn only
/// slowly. Odd in φ, so it keeps a flow Z2-equivariant. Its parameter starts at a = 0 (the identity).
/// </summary>
public sealed class GlobalScaleLayer : IFlowLayer
{
    private readonly ParameterStore _store;
    private readonly int _volume;

    /// <summary>The index of a in the parameter store.</summary>
    public int Offset { get; }

    public GlobalScaleLayer(ParameterStore store, int volume)
    {
        _store = store;
        _volume = volume;
        Offset = store.Take(1);
    }

    private ComputeDevice Device => _store.Device;

    public void EnsureCapacity(int batch) { }

    public void Forward(int batch, ArrayView<float> x, ArrayView<float> y, ArrayView<double> logDet) => Apply(batch, x, y, logDet, 1f);

    public void Inverse(int batch, ArrayView<float> y, ArrayView<float> x, ArrayView<double> logDet) => Apply(batch, y, x, logDet, -1f);

    private void Apply(int batch, ArrayView<float> source, ArrayView<float> destination, ArrayView<double> logDet, float sign)
    {
        // One item per sample where a thread per item is cheap to split (GPU: one per site, the first of each sample adds log det).
        int width = Device.ItemWidth(_volume);
        long n = (long)batch * _volume;
        Device.Launch((int)(n / width), n, new GlobalScaleKernel<Floats, Reals>(_store.Values, Offset, source, destination, _volume, width, sign, logDet));
    }

    public void Backward(int batch, ArrayView<float> x, ArrayView<float> gradient, float logDetGrad)
    {
        var partial = _store.Scratch(batch);
        Device.Launch(batch, (long)batch * _volume, new GlobalScaleBackwardKernel<Floats, Reals>(_store.Values, Offset, x, gradient, _volume, logDetGrad, partial));
        Device.Launch(1, batch, new GlobalScaleGradientKernel<Floats, Reals>(partial, batch, _store.Gradients, Offset));
    }

    public void Dispose() { }
}
