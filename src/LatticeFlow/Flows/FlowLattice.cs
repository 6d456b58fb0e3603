using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Lattice;

namespace LatticeFlow.Flows;

/// <summary>
/// The device copies of the geometry's tables that every flow kernel shares: the K × K convolution taps
/// (<see cref="LatticeGeometry.ConvTapTable"/>, circular padding) and the checkerboard colour of each site
/// (<see cref="LatticeGeometry.ParityTable"/>).
/// </summary>
public sealed class FlowLattice : IDisposable
{
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _neighbours, _parity;

    public LatticeGeometry Geometry { get; }
    public int Lx => Geometry.Lx;
    public int Ly => Geometry.Ly;
    public int Kernel { get; }
    public int Volume => Geometry.Volume;
    public int Taps => Kernel * Kernel;

    /// <exception cref="InvalidSettingException">A lattice that is not two-dimensional.</exception>
    public FlowLattice(ComputeDevice device, LatticeGeometry geometry, int kernel)
    {
        Geometry = geometry;
        Kernel = kernel;
        var taps = geometry.ConvTapTable(kernel);
        _neighbours = device.Allocate<int>(taps.Length);
        device.CopyFromHost(taps, _neighbours.View);
        var parity = geometry.ParityTable();
        _parity = device.Allocate<int>(parity.Length);
        device.CopyFromHost(parity, _parity.View);
    }

    public ArrayView<int> Neighbours => _neighbours.View;
    public ArrayView<int> Parity => _parity.View;

    public void Dispose()
    {
        _neighbours.Dispose();
        _parity.Dispose();
    }
}
