using Reals = LatticeFlow.Kernels.DeviceView<double>;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// The HMC twins (<see cref="HmcTwins"/>) against their bodies, bit for bit: the force (into a buffer, and the momentum
/// step π ← π − ε F), the field step and the Gaussian momenta, at 256-bit and 512-bit lanes (this VM lacks AVX-512: .NET
/// then runs the 512-bit code in software). Shapes where rows leave scalar tails after the wrapped sites y = 0 and
/// y = Ly − 1 (L = 6, 10, 18, 34, Lx ≠ Ly), d = 3 and 4, one and three chains, one and two threads.
/// </summary>
public sealed class HmcTwinTests
{
    public static TheoryData<SimdLevel, int[], int> Cases() => LatticeCases([[6, 6], [10, 10], [18, 18], [34, 34], [6, 10], [10, 18], [4, 6, 10], [2, 4, 2, 18]]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForceFieldAndMomentaTwinsAreBitIdenticalToTheBodies(SimdLevel level, int[] extents, int chains)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            var body = Run(SimdLevel.Off, extents, chains, threads);
            var twin = Run(level, extents, chains, threads);
            foreach (var (what, b) in body)
            {
                var t = twin[what];
                for (int j = 0; j < b.Length; j++) BitIdentical(b[j], t[j], $"{what}[{j}] ({level}, {string.Join("x", extents)}, {chains} chains, {threads} threads)");
            }
        }
    }

    /// <summary>
    /// Items that start on an odd site, end inside a pair, span odd volumes, are shorter than the vectors, or hold two
    /// blocks of pairs (their Philox calls interleaved) and a single block or scalar sites after them.
    /// </summary>
    [Theory]
    [InlineData(SimdLevel.Avx2, 36, 6, 12)]
    [InlineData(SimdLevel.Avx2, 45, 15, 6)]
    [InlineData(SimdLevel.Avx2, 63, 21, 9)]
    [InlineData(SimdLevel.Avx2, 45, 45, 3)]
    [InlineData(SimdLevel.Avx2, 70, 35, 4)]
    [InlineData(SimdLevel.Avx512, 45, 15, 6)]
    [InlineData(SimdLevel.Avx512, 102, 51, 4)]
    [InlineData(SimdLevel.Avx512, 40, 40, 3)]
    public void GaussianTwinIsBitIdenticalOnAwkwardItems(SimdLevel level, int volume, int width, int items)
    {
        var body = Gaussian(SimdLevel.Off, volume, width, items);
        var twin = Gaussian(level, volume, width, items);
        for (int j = 0; j < body.Length; j++) BitIdentical(body[j], twin[j], $"normal[{j}] ({level}, volume {volume}, width {width})");
    }

    private static Dictionary<string, double[]> Run(SimdLevel level, int[] extents, int chains, int threads)
    {
        var geometry = new LatticeGeometry(extents);
        using var device = new ManagedDevice(DeviceFactory.Context, threads, level);
        using var fields = new FieldBatch(device, geometry, chains);
        var s = fields.Shape;
        using var momenta = device.Allocate<double>(fields.Sites);
        using var force = device.Allocate<double>(fields.Sites);
        var action = new Phi4LocalAction(-4.0, 8.0, geometry.Dimensions);
        var outputs = new Dictionary<string, double[]>();
        fields.Randomize(7, 0.8);
        device.Launch(s.Items, fields.Sites, new GaussianKernel<Reals>(momenta.View, geometry.Volume, s.Width, new RngKey(11), 5, RngStream.HmcMomentum, 1.0));
        outputs["momenta"] = Download(device, momenta.View);
        outputs["randomized field"] = fields.ToHost();
        device.Launch(s.Items, fields.Sites, new ForceKernel<Reals, Phi4LocalAction>(s, action, fields.View, force.View, 0, 0.0));
        outputs["force"] = Download(device, force.View);
        device.Launch(s.Items, fields.Sites, new ForceKernel<Reals, Phi4LocalAction>(s, action, fields.View, momenta.View, 1, 0.0137));
        outputs["momenta after P(ε)"] = Download(device, momenta.View);
        device.Launch(s.Items, fields.Sites, new FieldKernel<Reals>(fields.View, momenta.View, 0.0271, s.Width));
        outputs["field after Q(ε)"] = fields.ToHost();
        return outputs;
    }

    private static double[] Gaussian(SimdLevel level, int volume, int width, int items)
    {
        using var device = new ManagedDevice(DeviceFactory.Context, 2, level);
        using var target = device.Allocate<double>((long)items * width);
        device.Launch(items, (long)items * width, new GaussianKernel<Reals>(target.View, volume, width, new RngKey(3), 9, RngStream.InitialField, 0.7));
        return Download(device, target.View);
    }

    private static double[] Download(ComputeDevice device, ILGPU.ArrayView<double> view)
    {
        var host = new double[view.Length];
        device.CopyToHost(view, host);
        return host;
    }
}
