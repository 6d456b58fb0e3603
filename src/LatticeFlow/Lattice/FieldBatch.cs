using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;

namespace LatticeFlow.Lattice;

/// <summary>
/// B lattices of φ in one device buffer, C order [chain, x_0, …, x_{d−1}] (DESIGN.md, principle 4): samplers,
/// flows and observables work on the whole batch in one launch.
/// </summary>
public sealed class FieldBatch : IDisposable
{
    public ComputeDevice Device { get; }
    public LatticeGeometry Geometry { get; }
    public int Chains { get; }
    public MemoryBuffer1D<double, Stride1D.Dense> Buffer { get; }

    public FieldBatch(ComputeDevice device, LatticeGeometry geometry, int chains)
    {
        if (chains < 1) throw new InvalidInputException($"chains = {chains}: need at least one chain");
        Device = device;
        Geometry = geometry;
        Chains = chains;
        Buffer = device.Allocate<double>((long)geometry.Volume * chains);
    }

    public ArrayView<double> View => Buffer.View;
    public int Sites => Geometry.Volume * Chains;

    /// <summary>Shape for kernels that visit every site.</summary>
    public LatticeShape Shape => Geometry.Shape(Device, Chains);

    /// <summary>Shape for kernels that visit one checkerboard colour.</summary>
    public LatticeShape HalfShape => Geometry.HalfShape(Device, Chains);

    /// <summary>Independent N(0, σ²) on every site, keyed by the seed: a hot start.</summary>
    public void Randomize(ulong seed, double sigma)
    {
        var s = Shape;
        Device.Launch(s.Items, Sites, new GaussianKernel<Reals>(View, Geometry.Volume, s.Width, new RngKey(seed), 0, RngStream.InitialField, sigma));
    }

    public double[] ToHost()
    {
        var host = new double[Sites];
        CopyTo(host);
        return host;
    }

    public void CopyTo(Span<double> host) => Device.CopyToHost(View, host);

    public void CopyFrom(ReadOnlySpan<double> host)
    {
        if (host.Length != Sites) throw new ArgumentException($"expected {Sites} values, got {host.Length}");
        Device.CopyFromHost(host, View);
    }

    public void Dispose() => Buffer.Dispose();
}
