using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;

namespace LatticeFlow.Physics;

/// <summary>
/// A local action of a real scalar field on a batch (<see cref="IAction"/>), generic in its kernel struct
/// <typeparamref name="TA"/> (<see cref="ILocalAction"/>): the one place where the action's type parameter meets the
/// kernels. Sums run per row, then per chain, in a fixed order (bit-identical for any thread count), after Grid and openQCD.
/// </summary>
public sealed class LatticeAction<TA> : IAction where TA : struct, ILocalAction
{
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _rows;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _chains;
    private readonly TA _local;

    public IActionParameters Parameters { get; }
    public ComputeDevice Device { get; }
    public LatticeGeometry Geometry { get; }
    public int ChainCount { get; }

    /// <param name="local">The kernel struct, built from <paramref name="parameters"/> for this geometry.</param>
    public LatticeAction(ComputeDevice device, LatticeGeometry geometry, int chains, IActionParameters parameters, TA local)
    {
        Device = device;
        Geometry = geometry;
        ChainCount = chains;
        Parameters = parameters;
        _local = local;
        _rows = device.Allocate<double>((long)geometry.SpatialVolume * chains);
        _chains = device.Allocate<double>(chains);
    }

    public void Action(FieldBatch fields, Span<double> actionOut) => Energy(fields, fields.View, 0, actionOut);

    public void Hamiltonian(FieldBatch fields, ArrayView<double> momenta, Span<double> energyOut) => Energy(fields, momenta, 1, energyOut);

    public void Hamiltonian(FieldBatch fields, ArrayView<double> momenta, ArrayView<double> energyOut)
    {
        var s = fields.Shape;
        Device.Launch(s.Rows, fields.Sites, new EnergyKernel<Reals, TA>(s, _local, fields.View, momenta, 1, _rows.View));
        Device.Launch(ChainCount, s.Rows, new SegmentSumKernel<Reals>(_rows.View, energyOut, s.RowsPerChain));
    }

    public void Force(FieldBatch fields, ArrayView<double> forceOut)
    {
        var s = fields.Shape;
        Device.Launch(s.Items, fields.Sites, new ForceKernel<Reals, TA>(s, _local, fields.View, forceOut, 0, 0.0));
    }

    public void UpdateMomenta(FieldBatch fields, ArrayView<double> momenta, double epsilon)
    {
        var s = fields.Shape;
        Device.Launch(s.Items, fields.Sites, new ForceKernel<Reals, TA>(s, _local, fields.View, momenta, 1, epsilon));
    }

    public void MetropolisHalfSweep(FieldBatch fields, ArrayView<double> accepted, RngKey key, uint sweep, int parity, double delta, int hits)
    {
        var half = fields.HalfShape;
        Device.Launch(half.HalfItems, fields.Sites / 2, new MetropolisKernel<Reals, TA>(half, _local, fields.View, accepted, key, sweep, parity, delta, hits));
    }

    public void MeasureSlices(FieldBatch fields, ArrayView<double> output)
    {
        var s = fields.Shape;
        Device.Launch(fields.Chains * s.Ly, fields.Sites, new ObservableKernel<Reals, TA>(s, _local, fields.View, output));
    }

    private void Energy(FieldBatch fields, ArrayView<double> momenta, int withMomenta, Span<double> output)
    {
        var s = fields.Shape;
        Device.Launch(s.Rows, fields.Sites, new EnergyKernel<Reals, TA>(s, _local, fields.View, momenta, withMomenta, _rows.View));
        Device.Launch(ChainCount, s.Rows, new SegmentSumKernel<Reals>(_rows.View, _chains.View, s.RowsPerChain));
        Device.CopyToHost(_chains.View.AsContiguous().SubView(0, ChainCount), output[..ChainCount]);
    }

    public void Dispose()
    {
        _rows.Dispose();
        _chains.Dispose();
    }
}
