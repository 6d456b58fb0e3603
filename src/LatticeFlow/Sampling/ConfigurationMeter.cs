using ILGPU.Runtime;
using ILGPU;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Sampling;

/// <summary>
/// Measures every chain of a batch in one launch (<see cref="ObservableKernel"/>): the device reduces
/// over x1 and returns 3·Ly numbers per chain, the host adds the Ly slices.
/// </summary>
public sealed class ConfigurationMeter : IDisposable
{
    private readonly ComputeDevice _device;
    private readonly LatticeGeometry _geometry;
    private readonly int _chains;
    private readonly Phi4Params _action;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _slices;
    private readonly double[] _host;

    public ConfigurationMeter(ComputeDevice device, LatticeGeometry geometry, int chains, Phi4Couplings couplings)
    {
        _device = device;
        _geometry = geometry;
        _chains = chains;
        _action = couplings.Params;
        _slices = device.Allocate<double>((long)ObservableSlots.PerSlice * geometry.Ly * chains);
        _host = new double[ObservableSlots.PerSlice * geometry.Ly * chains];
    }

    /// <param name="measurements">One entry per chain.</param>
    /// <param name="timeslices">T(t) = Σ_{x1} φ(x1, t), chain-major [B, Ly].</param>
    public void Measure(FieldBatch fields, Span<ConfigurationMeasurement> measurements, Span<double> timeslices)
    {
        int ly = _geometry.Ly;
        var shape = fields.Shape;
        _device.Launch(_chains * ly, fields.Sites, new ObservableKernel<Reals>(shape, _action, fields.View, _slices.View));
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
            measurements[b] = new ConfigurationMeasurement(m, Math.Abs(m), m * m, s / v, nn / (LatticeGeometry.Dimensions * v));
        }
    }

    public void Dispose() => _slices.Dispose();
}
