using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;

namespace LatticeFlow.Physics;

/// <summary>
/// The φ⁴ action on a batch, after Grid and openQCD: S per chain, and the force ∂S/∂φ into a buffer the
/// caller owns. Sums run per row, then per chain, in a fixed order (bit-identical for any thread count).
/// </summary>
public sealed class Phi4Action : IDisposable
{
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _rows;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _chains;

    public Phi4Couplings Couplings { get; }
    public ComputeDevice Device { get; }
    public LatticeGeometry Geometry { get; }
    public int ChainCount { get; }

    public Phi4Action(ComputeDevice device, LatticeGeometry geometry, int chains, Phi4Couplings couplings)
    {
        Device = device;
        Geometry = geometry;
        ChainCount = chains;
        Couplings = couplings;
        _rows = device.Allocate<double>((long)geometry.Lx * chains);
        _chains = device.Allocate<double>(chains);
    }

    /// <summary>S(φ) for every chain of the batch.</summary>
    public void Action(FieldBatch fields, Span<double> actionOut) => Energy(fields, fields.View, 0, actionOut);

    /// <summary>H = S(φ) + ½ Σ π² for every chain (HMC).</summary>
    public void Hamiltonian(FieldBatch fields, ArrayView<double> momenta, Span<double> energyOut) => Energy(fields, momenta, 1, energyOut);

    /// <summary>H per chain left on the device, for kernels that consume it there.</summary>
    internal void Hamiltonian(FieldBatch fields, ArrayView<double> momenta, ArrayView<double> energyOut)
    {
        var s = fields.Shape;
        Device.Launch(s.Rows, fields.Sites, new EnergyKernel<Reals>(s, Couplings.Params, fields.View, momenta, 1, _rows.View));
        Device.Launch(ChainCount, s.Rows, new SegmentSumKernel<Reals>(_rows.View, energyOut, Geometry.Lx));
    }

    /// <summary>∂S/∂φ(x) for every site of every chain.</summary>
    public void Force(FieldBatch fields, ArrayView<double> forceOut)
    {
        var s = fields.Shape;
        Device.Launch(s.Items, fields.Sites, new ForceKernel<Reals>(s, Couplings.Params, fields.View, forceOut, 0, 0.0));
    }

    private void Energy(FieldBatch fields, ArrayView<double> momenta, int withMomenta, Span<double> output)
    {
        var s = fields.Shape;
        Device.Launch(s.Rows, fields.Sites, new EnergyKernel<Reals>(s, Couplings.Params, fields.View, momenta, withMomenta, _rows.View));
        Device.Launch(ChainCount, s.Rows, new SegmentSumKernel<Reals>(_rows.View, _chains.View, Geometry.Lx));
        Device.CopyToHost(_chains.View.AsContiguous().SubView(0, ChainCount), output[..ChainCount]);
    }

    public void Dispose()
    {
        _rows.Dispose();
        _chains.Dispose();
    }
}
