using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Flows;

/// <summary>
/// A checkerboard-masked coupling layer (Albergo et al. 2019, Sec. III.B, eq. 14): sites of colour <see cref="Active"/>
/// are transformed by <see cref="Transform"/> with parameters from a conv net of the frozen sites, which pass through.
/// Forward x → y adds log|det ∂y/∂x| to a per-sample buffer; Inverse y → x adds the same quantity (the forward
/// Jacobian at the point found), so log q = log r(z) − Σ log det in both directions.
/// </summary>
public sealed class CouplingLayer : IDisposable
{
    private readonly ComputeDevice _device;
    private readonly FlowLattice _lattice;
    private MemoryBuffer1D<float, Stride1D.Dense>? _netInput, _gradNetInput;
    private int _capacity;

    public int Active { get; }
    public ConvNet Net { get; }
    public ICouplingTransform Transform { get; }

    public CouplingLayer(ParameterStore store, FlowLattice lattice, int active, FlowArchitecture arch)
    {
        _device = store.Device;
        _lattice = lattice;
        Active = active;
        Transform = AdditiveCoupling.For(arch.Coupling);
        Net = new ConvNet(store, lattice, arch.Channels, arch.Activation, arch.FinalTanh);
    }

    public void EnsureCapacity(int batch)
    {
        Net.EnsureCapacity(batch);
        if (batch <= _capacity) return;
        _netInput?.Dispose();
        _gradNetInput?.Dispose();
        _netInput = _device.Allocate<float>((long)batch * _lattice.Volume);
        _gradNetInput = _device.Allocate<float>((long)batch * _lattice.Volume);
        _capacity = batch;
    }

    private CouplingShape Shape(int batch) => new(batch, _lattice.Volume, _device.ItemWidth(_lattice.Volume), Active, Transform.NetOutputs);

    /// <summary>y = coupling(x); logDet[b] += Σ_active s. x and y must be different buffers.</summary>
    public void Forward(int batch, ArrayView<float> x, ArrayView<float> y, ArrayView<double> logDet) => Apply(batch, x, y, logDet, inverse: false);

    /// <summary>x = coupling⁻¹(y); logDet[b] += Σ_active s (the frozen sites, hence s, are the same on both sides).</summary>
    public void Inverse(int batch, ArrayView<float> y, ArrayView<float> x, ArrayView<double> logDet) => Apply(batch, y, x, logDet, inverse: true);

    private void Apply(int batch, ArrayView<float> source, ArrayView<float> destination, ArrayView<double> logDet, bool inverse)
    {
        var c = Shape(batch);
        long sites = (long)batch * _lattice.Volume;
        _device.Launch(c.Items, sites, new CouplingMaskKernel<Floats, Ints>(c, _lattice.Parity, source, _netInput!.View));
        var st = Net.Forward(batch, _netInput.View, Active);
        _device.Launch(c.Items, sites, new CouplingTransformKernel<Floats, Ints>(c, _lattice.Parity, source, st, destination, inverse ? 1 : 0));
        if (Transform.HasLogScale) _device.Launch(batch, sites, new CouplingLogDetKernel<Floats, Ints, Reals>(c, _lattice.Parity, st, logDet, 1.0));
    }

    /// <summary>
    /// Back-propagates through the last <see cref="Forward"/> (whose input was <paramref name="x"/>): gradient reads ∂L/∂y
    /// and is overwritten with ∂L/∂x; <paramref name="logDetGrad"/> is ∂L/∂(log det) for every sample; parameter
    /// gradients are accumulated.
    /// </summary>
    public void Backward(int batch, ArrayView<float> x, ArrayView<float> gradient, float logDetGrad)
    {
        var c = Shape(batch);
        long sites = (long)batch * _lattice.Volume;
        var st = Net.OutputGradient;
        _device.Launch(c.Items, sites, new CouplingBackwardKernel<Floats, Ints>(c, _lattice.Parity, x, NetOutputOfLastForward, gradient, gradient, st, logDetGrad));
        Net.Backward(batch, Active, _gradNetInput!.View, 1 - Active);
        _device.Launch(c.Items, sites, new MaskedAddKernel<Floats, Ints>(c, _lattice.Parity, _gradNetInput.View, gradient));
    }

    private ArrayView<float> NetOutputOfLastForward => Net.LastOutput;

    public void Dispose()
    {
        Net.Dispose();
        _netInput?.Dispose();
        _gradNetInput?.Dispose();
    }
}
