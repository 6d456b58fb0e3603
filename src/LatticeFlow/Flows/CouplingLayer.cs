using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Flows;

/// <summary>
/// A checkerboard-masked coupling layer (Albergo et al. 2019, Sec. III.B, eq. 14): sites of colour <see cref="Active"/>
/// are transformed element-wise by <see cref="Transform"/> with parameters from a conv net of the frozen sites, which
/// pass through. The split and merge are here; the transform is the seam (<see cref="CouplingTransforms"/>).
/// </summary>
public sealed class CouplingLayer : IFlowLayer
{
    private readonly ComputeDevice _device;
    private readonly FlowLattice _lattice;
    private MemoryBuffer1D<float, Stride1D.Dense>? _netInput, _gradNetInput, _logJ;
    private int _capacity;

    public int Active { get; }
    public ConvNet Net { get; }
    public CouplingTransform Transform { get; }

    public CouplingLayer(ParameterStore store, FlowLattice lattice, int active, FlowArchitecture arch)
    {
        _device = store.Device;
        _lattice = lattice;
        Active = active;
        Transform = CouplingTransforms.For(arch);
        Net = new ConvNet(store, lattice, arch.Channels, arch.Activation, arch.FinalTanh, arch.Biases);
    }

    public void EnsureCapacity(int batch)
    {
        Net.EnsureCapacity(batch);
        if (batch <= _capacity) return;
        _netInput?.Dispose();
        _gradNetInput?.Dispose();
        _logJ?.Dispose();
        _netInput = _device.Allocate<float>((long)batch * _lattice.Volume);
        _gradNetInput = _device.Allocate<float>((long)batch * _lattice.Volume);
        _logJ = _device.Allocate<float>((long)batch * _lattice.Volume);
        _capacity = batch;
    }

    private CouplingShape Shape(int batch) => new(batch, _lattice.Volume, _device.ItemWidth(_lattice.Volume), Active, Transform.Channels);

    public void Forward(int batch, ArrayView<float> x, ArrayView<float> y, ArrayView<double> logDet) => Apply(batch, x, y, logDet, inverse: false);

    /// <summary>The frozen sites, hence the net's output, are the same on both sides, so the inverse is exact.</summary>
    public void Inverse(int batch, ArrayView<float> y, ArrayView<float> x, ArrayView<double> logDet) => Apply(batch, y, x, logDet, inverse: true);

    private void Apply(int batch, ArrayView<float> source, ArrayView<float> destination, ArrayView<double> logDet, bool inverse)
    {
        var c = Shape(batch);
        long sites = (long)batch * _lattice.Volume;
        _device.Launch(c.Items, sites, new CouplingMaskKernel<Floats, Ints>(c, _lattice.Parity, source, _netInput!.View));
        var p = Net.Forward(batch, _netInput.View, Active);
        Transform.Apply(_device, c, _lattice.Parity, source, p, destination, _logJ!.View, inverse);
        _device.Launch(batch, sites, new CouplingLogDetKernel<Floats, Ints, Reals>(c, _lattice.Parity, _logJ.View, logDet, 1.0));
    }

    public void Backward(int batch, ArrayView<float> x, ArrayView<float> gradient, float logDetGrad)
    {
        var c = Shape(batch);
        long sites = (long)batch * _lattice.Volume;
        Transform.Backward(_device, c, _lattice.Parity, x, Net.LastOutput, gradient, gradient, Net.OutputGradient, logDetGrad);
        Net.Backward(batch, Active, _gradNetInput!.View, 1 - Active);
        _device.Launch(c.Items, sites, new MaskedAddKernel<Floats, Ints>(c, _lattice.Parity, _gradNetInput.View, gradient));
    }

    public void Dispose()
    {
        Net.Dispose();
        _netInput?.Dispose();
        _gradNetInput?.Dispose();
        _logJ?.Dispose();
    }
}
