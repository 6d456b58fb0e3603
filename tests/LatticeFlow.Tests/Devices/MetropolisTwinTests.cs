using System.Runtime.Intrinsics;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// The Metropolis twin (<see cref="MetropolisTwins"/>) against its body: fields and accept counts per item bit for bit,
/// after several sweeps of both colours. Awkward shapes: rows not a multiple of the lane count (pairs left to the body,
/// and the lone last site of rows with an odd colour count: Ly = 18, 26, 34), rows too short for a block (Ly = 6, 10: the
/// body runs), Lx ≠ Ly, d = 3 and 4, one and three chains and hits, the twin on two threads against the body on one.
/// Both SIMD levels run on every machine: where the CPU lacks AVX-512, .NET runs the 512-bit code in software.
/// </summary>
public sealed class MetropolisTwinTests
{
    public static TheoryData<int[], int, int> Cases => new()
    {
        // extents, chains, hits
        { [6, 6], 3, 1 },
        { [10, 10], 1, 3 },
        { [18, 18], 3, 1 },
        { [34, 34], 1, 3 },
        { [6, 26], 3, 3 },
        { [8, 64], 1, 1 },
        { [4, 6, 10], 3, 1 },
        { [4, 2, 34], 1, 3 },
        { [4, 6, 26], 3, 1 },
        { [2, 4, 2, 18], 3, 3 },
        { [2, 2, 4, 36], 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Avx2TwinIsBitIdenticalToTheBody(int[] extents, int chains, int hits) => Compare(SimdLevel.Avx2, extents, chains, hits);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Avx512TwinIsBitIdenticalToTheBody(int[] extents, int chains, int hits) => Compare(SimdLevel.Avx512, extents, chains, hits);

    /// <summary>
    /// With the bracket widened past most ΔS, most blocks are left open and run in the body, between blocks run in lanes:
    /// the hand-over keeps the body's numbers.
    /// </summary>
    [Theory]
    [InlineData(SimdLevel.Avx2)]
    [InlineData(SimdLevel.Avx512)]
    public unsafe void BlocksLeftOpenRunInTheBody(SimdLevel level)
    {
        int[] extents = [6, 66];
        var (bodyFields, bodyCounts) = Run(SimdLevel.Off, 1, extents, 2, 2, margin: null);
        var (twinFields, twinCounts) = Run(level, 1, extents, 2, 2, margin: 0.02);
        AssertIdentical(bodyFields, twinFields, bodyCounts, twinCounts, $"{level}, margin 0.02");
    }

    /// <summary>The twin takes rows holding a block of C pairs (4C sites; 16 lanes' worth for AVX-512) and only φ⁴; the body runs the rest.</summary>
    [Theory]
    [InlineData(SimdLevel.Avx2, 16, true)]
    [InlineData(SimdLevel.Avx2, 14, false)]
    [InlineData(SimdLevel.Avx512, 18, true)]
    [InlineData(SimdLevel.Avx512, 10, false)]
    [InlineData(SimdLevel.Avx512, 32, true)]
    public void TheTwinTakesRowsThatHoldABlock(SimdLevel level, int ly, bool taken)
    {
        using var device = new ManagedDevice(DeviceFactory.Context, 1, SimdLevel.Off);
        var g = new LatticeGeometry(4, ly);
        using var fields = new FieldBatch(device, g, 1);
        using var accepted = device.Allocate<double>(fields.HalfShape.HalfItems);
        var half = fields.HalfShape;
        var kernel = new MetropolisKernel<DeviceView<double>, Phi4LocalAction>(half, new Phi4LocalAction(-4, 8, 2), fields.View, accepted.View,
            new RngKey(1), 0, 0, 0.5, 1);
        using var context = new TwinContext(new SerialLauncher(), level);
        Assert.Equal(taken, HostTwin<MetropolisKernel<DeviceView<double>, Phi4LocalAction>>.Launch!(kernel, context, half.HalfItems, fields.Sites / 2));
    }

    /// <summary>The bound the bracket rests on: |Log(u) − Math.Log(u)| ≤ 1.1·10⁻⁷ &lt; Margin/4 for the uniforms Philox gives.</summary>
    [Fact]
    public unsafe void TheLogApproximationIsWithinItsBound()
    {
        double worst = 0;
        var words = new List<uint> { 0, 1, 2, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF };
        for (uint w = 12345; w < uint.MaxValue - 4096; w += 4093) words.Add(w);
        double* u = stackalloc double[4];
        double* log = stackalloc double[4];
        for (int i = 0; i + 4 <= words.Count; i += 4)
        {
            for (int l = 0; l < 4; l++) u[l] = Philox.Uniform(words[i + l]);
            DoubleLanes4.Store(log, MetropolisTwins.Log<DoubleLanes4, Vector256<double>>(DoubleLanes4.Load(u)));
            for (int l = 0; l < 4; l++) worst = Math.Max(worst, Math.Abs(log[l] - Math.Log(u[l])));
        }
        Assert.True(worst <= 1.1e-7, $"largest |Log − Math.Log| {worst:E3}");
        Assert.True(4 * 1.1e-7 < MetropolisTwins.Margin);
    }

    private static void Compare(SimdLevel level, int[] extents, int chains, int hits)
    {
        var (bodyFields, bodyCounts) = Run(SimdLevel.Off, 1, extents, chains, hits, margin: null);
        var (twinFields, twinCounts) = Run(level, 2, extents, chains, hits, margin: null);
        AssertIdentical(bodyFields, twinFields, bodyCounts, twinCounts, $"{level}, [{string.Join(", ", extents)}], {chains} chains, {hits} hits");
    }

    private static void AssertIdentical(double[] bodyFields, double[] twinFields, double[] bodyCounts, double[] twinCounts, string what)
    {
        for (int i = 0; i < bodyFields.Length; i++) BitIdentical(bodyFields[i], twinFields[i], $"φ[{i}] ({what})");
        Assert.Equal(bodyCounts, twinCounts);
        Assert.True(bodyCounts.Sum() > 0, $"nothing accepted ({what})");
    }

    /// <summary>
    /// Three sweeps of both colours from a random field, counts summed per item over the sweeps; with a margin, the twin
    /// kernel launched directly on one thread (the managed launcher passes <see cref="MetropolisTwins.Margin"/>).
    /// </summary>
    private static unsafe (double[] Fields, double[] Counts) Run(SimdLevel level, int threads, int[] extents, int chains, int hits, double? margin)
    {
        using var device = new ManagedDevice(DeviceFactory.Context, threads, level);
        var g = new LatticeGeometry(extents);
        using var fields = new FieldBatch(device, g, chains);
        var couplings = Phi4Couplings.Tutorial;
        using var action = couplings.Create(device, g, chains);
        var half = fields.HalfShape;
        using var accepted = device.Allocate<double>(half.HalfItems);
        device.CopyFromHost<double>(new double[half.HalfItems], accepted.View);
        fields.CopyFrom(TestFields.Random(fields.Sites, 17, 1.5));
        var key = new RngKey(0x5EED_0000_1234UL);
        for (uint sweep = 0; sweep < 3; sweep++)
            for (int parity = 0; parity < 2; parity++)
            {
                if (margin is not double m)
                {
                    action.MetropolisHalfSweep(fields, accepted.View, key, sweep, parity, 0.9, hits);
                    continue;
                }
                var body = new MetropolisKernel<HostView<double>, Phi4LocalAction>(half, new Phi4LocalAction(couplings.M2, couplings.Lambda, g.Dimensions),
                    new DeviceView<double>(fields.View).Host, new DeviceView<double>(accepted.View).Host, key, sweep, parity, 0.9, hits);
                unsafe
                {
                    // The round keys once for all rows, as MetropolisTwins.Update computes them.
                    fixed (double* keys = new double[20 * 8])
                    {
                        if (level == SimdLevel.Avx512) PhiloxLanes.RoundKeys<DoubleLanes8, Vector512<double>>(key, (Vector512<double>*)keys);
                        else PhiloxLanes.RoundKeys<DoubleLanes4, Vector256<double>>(key, (Vector256<double>*)keys);
                        for (int item = 0; item < half.HalfItems; item++)
                        {
                            if (level == SimdLevel.Avx512) new MetropolisTwin<DoubleLanes8, Vector512<double>>(body, m, keys).Execute(item);
                            else new MetropolisTwin<DoubleLanes4, Vector256<double>>(body, m, keys).Execute(item);
                        }
                    }
                }
            }
        var counts = new double[half.HalfItems];
        device.CopyToHost(accepted.View, counts);
        return (fields.ToHost(), counts);
    }
}
