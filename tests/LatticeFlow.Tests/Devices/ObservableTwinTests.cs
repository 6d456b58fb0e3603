using Reals = LatticeFlow.Kernels.DeviceView<double>;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// The observable twin (<see cref="ObservableTwins"/>) against its body, bit for bit: every (chain, time slice)'s T(t),
/// Σ s and Σ φ Σ_μ φ(x + μ̂), at 256-bit and 512-bit lanes (this VM lacks AVX-512: .NET then runs the 512-bit code in
/// software), on one and two threads. Rows whose last vector ends before the wrapped column (Ly = 6, 10, 18), several
/// column groups with a wide last one (Ly = 130, 200), Lx ≠ Ly, d = 3 and 4, one and three chains, and rows too short for
/// the twin (Ly = 4), which run the body.
/// </summary>
public sealed class ObservableTwinTests
{
    public static TheoryData<SimdLevel, int[], int> Cases() => LatticeCases([[6, 6], [10, 10], [18, 18], [8, 64], [4, 130], [2, 200], [64, 8], [6, 4], [4, 6, 10], [2, 4, 2, 18]]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ObservableTwinIsBitIdenticalToTheBody(SimdLevel level, int[] extents, int chains)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            var body = Slices(SimdLevel.Off, extents, chains, threads);
            var twin = Slices(level, extents, chains, threads);
            Assert.Equal(body.Length, twin.Length);
            for (int j = 0; j < body.Length; j++)
                BitIdentical(body[j], twin[j], $"slot {j % ObservableSlots.PerSlice} of slice {j / ObservableSlots.PerSlice} ({level}, {string.Join("x", extents)}, {chains} chains, {threads} threads)");
        }
    }

    /// <summary>
    /// The twin takes every φ⁴ launch over all (chain, time slice) items of rows longer than its narrowest lanes, and no
    /// other: the comparison above would pass unseen if it ran the body everywhere.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void TheTwinTakesEveryLaunchOfRowsLongerThanFour(SimdLevel level, int[] extents, int chains)
    {
        var geometry = new LatticeGeometry(extents);
        using var device = new ManagedDevice(DeviceFactory.Context, 1, SimdLevel.Off);
        using var fields = new FieldBatch(device, geometry, chains);
        var s = fields.Shape;
        int items = chains * s.Ly;
        using var output = device.Allocate<double>((long)ObservableSlots.PerSlice * items);
        var kernel = new ObservableKernel<Reals, Phi4LocalAction>(s, new Phi4LocalAction(-4.0, 5.113, geometry.Dimensions), fields.View, output.View);
        using var context = new TwinContext(new SerialLauncher(), level);
        var twin = HostTwin<ObservableKernel<Reals, Phi4LocalAction>>.Launch!;
        Assert.Equal(s.Ly > 4, twin(kernel, context, items, fields.Sites));
        Assert.False(twin(kernel, context, items - 1, fields.Sites));
    }

    private static double[] Slices(SimdLevel level, int[] extents, int chains, int threads)
    {
        var geometry = new LatticeGeometry(extents);
        using var device = new ManagedDevice(DeviceFactory.Context, threads, level);
        using var fields = new FieldBatch(device, geometry, chains);
        var s = fields.Shape;
        int items = chains * s.Ly;
        using var output = device.Allocate<double>((long)ObservableSlots.PerSlice * items);
        fields.Randomize(13, 1.7);
        device.Launch(items, fields.Sites, new ObservableKernel<Reals, Phi4LocalAction>(s, new Phi4LocalAction(-4.0, 5.113, geometry.Dimensions), fields.View, output.View));
        var host = new double[output.View.Length];
        device.CopyToHost(output.View, host);
        return host;
    }
}
