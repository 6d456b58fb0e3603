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
    private MemoryBuffer1D<float, Stride1D.Dense>? _netInput, _gradNetInput, _logJ, _parameters, _gradParameters;
    private int _capacity;

    public int Active { get; }
    public ConvNet Net { get; }
    public CouplingTransform Transform { get; }

    /// <summary>Z2-equivariant: the net also runs on the mirrored frozen sites (<see cref="FlowArchitecture.Equivariant"/>).</summary>
    public bool Mirrored { get; }

    /// <summary>Samples the net runs on per sample of the batch: 2 in a mirrored coupling.</summary>
    private int NetSamples => Mirrored ? 2 : 1;

    public CouplingLayer(ParameterStore store, FlowLattice lattice, int active, FlowArchitecture arch)
    {
        _device = store.Device;
        _lattice = lattice;
        Active = active;
        Transform = CouplingTransforms.For(arch);
        Mirrored = arch.Equivariant;
        Net = new ConvNet(store, lattice, arch.Channels, arch.Activation, arch.FinalTanh);
    }

    public void EnsureCapacity(int batch)
    {
        Net.EnsureCapacity(NetSamples * batch);
        if (batch <= _capacity) return;
        _netInput?.Dispose();
        _gradNetInput?.Dispose();
        _logJ?.Dispose();
        _parameters?.Dispose();
        _gradParameters?.Dispose();
        long sites = (long)batch * _lattice.Volume;
        _netInput = _device.Allocate<float>(NetSamples * sites);
        _gradNetInput = _device.Allocate<float>(NetSamples * sites);
        _logJ = _device.Allocate<float>(sites);
        if (Mirrored)
        {
            _parameters = _device.Allocate<float>(Transform.Channels * sites);
            _gradParameters = _device.Allocate<float>(Transform.Channels * sites);
        }
        _capacity = batch;
    }

    private CouplingShape Shape(int batch) => new(batch, _lattice.Volume, _device.ItemWidth(_lattice.Volume), Active, Transform.Channels, Mirrored ? 1 : 0);

    public void Forward(int batch, ArrayView<float> x, ArrayView<float> y, ArrayView<double> logDet) => Apply(batch, x, y, logDet, inverse: false);

    /// <summary>The frozen sites, hence the net's output, are the same on both sides, so the inverse is exact.</summary>
    public void Inverse(int batch, ArrayView<float> y, ArrayView<float> x, ArrayView<double> logDet) => Apply(batch, y, x, logDet, inverse: true);

    private void Apply(int batch, ArrayView<float> source, ArrayView<float> destination, ArrayView<double> logDet, bool inverse)
    {
        var c = Shape(batch);
        long sites = (long)batch * _lattice.Volume;
        _device.Launch(c.Items, sites, new CouplingMaskKernel<Floats, Ints>(c, _lattice.Parity, source, _netInput!.View));
        var p = Net.Forward(NetSamples * batch, _netInput.View, Active);
        if (Mirrored)
        {
            Transform.Mirror(_device, c, _lattice.Parity, p, _parameters!.View);
            p = _parameters.View;
        }
        Transform.Apply(_device, c, _lattice.Parity, source, p, destination, _logJ!.View, inverse);
        _device.Launch(batch, sites, new CouplingLogDetKernel<Floats, Ints, Reals>(c, _lattice.Parity, _logJ.View, logDet, 1.0));
    }

    public void Backward(int batch, ArrayView<float> x, ArrayView<float> gradient, float logDetGrad)
    {
        var c = Shape(batch);
        long sites = (long)batch * _lattice.Volume;
        if (Mirrored)
        {
            Transform.Backward(_device, c, _lattice.Parity, x, _parameters!.View, gradient, gradient, _gradParameters!.View, logDetGrad);
            Transform.MirrorBackward(_device, c, _lattice.Parity, _gradParameters.View, Net.OutputGradient);
        }
        else Transform.Backward(_device, c, _lattice.Parity, x, Net.LastOutput, gradient, gradient, Net.OutputGradient, logDetGrad);
        Net.Backward(NetSamples * batch, Active, _gradNetInput!.View, 1 - Active);
        _device.Launch(c.Items, sites, new MaskedAddKernel<Floats, Ints>(c, _lattice.Parity, _gradNetInput.View, gradient));
    }

    public void Dispose()
    {
        Net.Dispose();
        _netInput?.Dispose();
        _gradNetInput?.Dispose();
        _logJ?.Dispose();
        _parameters?.Dispose();
        _gradParameters?.Dispose();
    }
}
