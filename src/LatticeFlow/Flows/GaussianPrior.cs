using ILGPU;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Flows;

/// <summary>
/// The prior r(z): an independent standard normal on every site (Albergo et al. 2019, Sec. III.A),
/// log r(z) = −½ Σ z² − (V/2) ln 2π, summed in double.
/// </summary>
public sealed class GaussianPrior(ComputeDevice device, int volume)
{
    public int Volume { get; } = volume;

    /// <summary>z for <paramref name="batch"/> samples, keyed by (site, sample, step, FlowPrior stream); logR[b] = log r(z_b).</summary>
    public void Sample(int batch, RngKey key, uint step, ArrayView<float> z, ArrayView<double> logR)
    {
        int width = device.ItemWidth(Volume);
        long n = (long)batch * Volume;
        device.Launch((int)(n / width), n, new PriorSampleKernel<Floats>(z, Volume, width, key, step, RngStream.FlowPrior));
        LogDensity(batch, z, logR);
    }

    public void LogDensity(int batch, ArrayView<float> z, ArrayView<double> logR) =>
        device.Launch(batch, (long)batch * Volume, new PriorLogDensityKernel<Floats, Reals>(z, Volume, logR));
}
