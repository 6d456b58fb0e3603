using ILGPU.Runtime;
using ILGPU;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Sampling;

/// <summary>
/// Measures every chain of a batch in one launch (<see cref="IAction.MeasureSlices"/>): the device reduces over the
/// d − 1 spatial coordinates and returns 3·T numbers per chain (T the time extent), the host adds the T slices.
/// </summary>
public sealed class ConfigurationMeter : IDisposable
{
    private readonly ComputeDevice _device;
    private readonly LatticeGeometry _geometry;
    private readonly int _chains;
    private readonly IAction _action;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _slices;
    private readonly double[] _host;

    public ConfigurationMeter(ComputeDevice device, LatticeGeometry geometry, int chains, IActionParameters action)
    {
        _device = device;
        _geometry = geometry;
        _chains = chains;
        _action = action.Create(device, geometry, chains);
        _slices = device.Allocate<double>((long)ObservableSlots.PerSlice * geometry.TimeExtent * chains);
        _host = new double[ObservableSlots.PerSlice * geometry.TimeExtent * chains];
    }

    /// <param name="measurements">One entry per chain.</param>
    /// <param name="timeslices">T(t) = Σ_x⃗ φ(x⃗, t), chain-major [B, T].</param>
    public void Measure(FieldBatch fields, Span<ConfigurationMeasurement> measurements, Span<double> timeslices)
    {
        int ly = _geometry.TimeExtent;
        _action.MeasureSlices(fields, _slices.View);
        _device.CopyToHost(_slices.View.AsContiguous(), _host);
        double v = _geometry.Volume;
        for (int b = 0; b < _chains; b++)
        {
            double m = 0, s = 0, nn = 0;
            for (int t = 0; t < ly; t++)
            {
                int i = ObservableSlots.PerSlice * (b * ly + t);
                timeslices[b * ly + t] = _host[i];
                m += _host[i];
                s += _host[i + 1];
                nn += _host[i + 2];
            }
            measurements[b] = new ConfigurationMeasurement(m, Math.Abs(m), m * m, s / v, nn / (_geometry.Dimensions * v));
        }
    }

    public void Dispose()
    {
        _slices.Dispose();
        _action.Dispose();
    }
}
