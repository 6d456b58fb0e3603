using Floats = LatticeFlow.Kernels.DeviceView<float>;
using Ints = LatticeFlow.Kernels.DeviceView<int>;
using Reals = LatticeFlow.Kernels.DeviceView<double>;
using LatticeFlow.Devices;
using LatticeFlow.Devices.Simd;
using LatticeFlow.Flows;
using LatticeFlow.Kernels.Flows;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// Each conv twin (<see cref="ConvTwins"/>) against its kernel body, element by element, within the bound its doc states:
/// forward and input gradient |twin − body| ≤ 2γ_n Σ|terms| + 2u|y|, weight gradient ≤ (γ_{F+1} + u) Σ|terms| + 2u|gw|
/// (u = 2⁻²⁴, γ_n = nu/(1 − nu)), bias gradient ≤ 2u Σ|g| + 2u|gb|, with Σ|terms| computed here from the inputs. Awkward
/// sizes: rows not a multiple of the lane count (an overlapping last vector), Lx ≠ Ly, batch 1 and 3, one and two output
/// channels (the four-row tiles), 5 × 5 and 9 × 9 kernels, a stencil radius equal to Lx, one-colour outputs and inputs,
/// rows narrower than the lanes (Ly = 2, 4, 6: one vector with dead lanes); radii beyond Lx or Ly run the body. Both SIMD levels run on every
/// machine: where the CPU lacks AVX-512, .NET runs the 512-bit code in software, which proves the twin's logic, not its speed.
/// </summary>
public sealed class ConvTwinTests
{
    private static double Gamma(int n) => n * U / (1 - n * U);

    private const int Leaky = ActivationCode.LeakyRelu, Tanh = ActivationCode.Tanh, None = ActivationCode.Identity;

    public static TheoryData<int, int, int, int, int, int, int, int> Cases => new()
    {
        // lx, ly, kernel, batch, cin, cout, output parity, activation
        { 8, 8, 3, 3, 8, 8, -1, Leaky },
        { 8, 8, 3, 1, 1, 8, -1, Tanh },
        { 8, 8, 3, 3, 8, 2, 1, Tanh },
        { 6, 10, 3, 3, 3, 2, 0, None },
        { 10, 12, 3, 1, 2, 3, -1, Leaky },
        { 4, 14, 5, 3, 8, 1, 1, Tanh },
        { 6, 18, 3, 3, 8, 8, 0, Leaky },
        { 4, 16, 3, 1, 2, 8, -1, Tanh },
        { 12, 6, 3, 3, 8, 8, -1, Leaky },
        { 2, 20, 3, 3, 9, 2, -1, None },
        // Stencil radius r = Lx (the padded rows wrap all the way round), and a 9 × 9 stencil on a rectangle.
        { 2, 16, 5, 3, 8, 8, -1, Tanh },
        { 8, 10, 9, 1, 3, 8, 0, Leaky },
        // Blocks of samples whose float lanes flush into double before the block's end (more than FlushTerms terms per
        // lane; with AVX2 lanes): one vector per row (8 x 8, 37 samples per block), two per row with the two-channel
        // tiles, and one 16-lane vector per row of 16 with AVX-512 (38 samples × 16 rows).
        { 8, 8, 3, 300, 8, 8, -1, Leaky },
        { 16, 16, 3, 100, 8, 2, 1, Tanh },
        { 16, 16, 3, 300, 1, 2, 1, Tanh },
        // Blocks of several samples with Lx ≡ 2 (mod 4), whose two-channel tiles end each sample on two rows.
        { 6, 10, 3, 16, 3, 2, 0, None },
        { 6, 6, 3, 16, 8, 2, 1, None },
        // Output channels that leave the weight gradient's second block of four partly empty (5 and 6 of 8), on rows of
        // two vectors (the flushing path) and of one (the register path), and with a colour.
        { 8, 10, 3, 3, 3, 6, -1, Leaky },
        { 6, 6, 3, 3, 2, 5, 0, Leaky },
        { 16, 16, 3, 40, 2, 5, 1, None },
        // Rows with an overlapping last vector into the eight-channel store, one output channel and a partly filled group
        // of four on rows of several vectors (AVX-512 too), a 5 × 5 stencil there, and a flushing 1 × 1 two-channel case.
        { 6, 20, 3, 3, 8, 8, -1, Leaky },
        { 10, 20, 3, 3, 3, 5, -1, Leaky },
        { 10, 20, 3, 3, 4, 1, 0, None },
        { 4, 18, 5, 3, 3, 8, -1, Leaky },
        { 6, 18, 1, 16, 3, 2, -1, None },
        // A 1 × 1 stencil (radius 0: no periodic images at all).
        { 8, 8, 1, 3, 8, 8, -1, Leaky },
        // Rows narrower than the lanes (one vector per row with dead lanes): the tutorial's L = 6 and its three convs,
        // one-colour outputs, Lx ≠ Ly, rows of 4 and 2 sites, a radius equal to Ly, a 1 × 1 stencil.
        { 6, 6, 3, 3, 1, 8, 0, Leaky },
        { 6, 6, 3, 3, 8, 8, -1, Tanh },
        { 6, 6, 3, 3, 8, 2, 1, None },
        { 4, 6, 3, 1, 3, 8, 0, Leaky },
        { 8, 4, 3, 3, 8, 1, -1, Tanh },
        { 10, 2, 3, 3, 2, 3, 1, Leaky },
        { 4, 2, 5, 3, 8, 8, -1, Tanh },
        { 6, 2, 1, 3, 8, 2, -1, None },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Avx2TwinsMatchTheBodies(int lx, int ly, int kernel, int batch, int cin, int cout, int parity, int activation) =>
        Compare(SimdLevel.Avx2, lx, ly, kernel, batch, cin, cout, parity, activation);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Avx512TwinsMatchTheBodies(int lx, int ly, int kernel, int batch, int cin, int cout, int parity, int activation) =>
        Compare(SimdLevel.Avx512, lx, ly, kernel, batch, cin, cout, parity, activation);

    /// <summary>
    /// The forward twin's store from the registers (Sum8Store: whole blocks of eight channels, full rows, no colour, no
    /// tanh) bit for bit against Sum8 and Emit, which a ninth channel sends the same eight through: the inputs, weights
    /// and biases of the first eight channels are the same (prefixes of one seeded sequence, weights [o][i][t]). The
    /// bounds above cannot see a change of rounding order in either.
    /// </summary>
    [Theory]
    [InlineData(SimdLevel.Avx2, 8, 10, 3, Leaky)]
    [InlineData(SimdLevel.Avx2, 6, 16, 3, None)]
    [InlineData(SimdLevel.Avx2, 4, 20, 5, Leaky)]
    [InlineData(SimdLevel.Avx512, 4, 18, 3, Leaky)]
    [InlineData(SimdLevel.Avx512, 4, 16, 5, None)]
    public void EightChannelStoreIsBitIdenticalToTheGeneralEpilogue(SimdLevel level, int lx, int ly, int kernel, int activation)
    {
        const int batch = 3, cin = 5;
        int v = lx * ly;
        var eight = Run(level, lx, ly, kernel, batch, cin, 8, -1, activation).Forward;
        var nine = Run(level, lx, ly, kernel, batch, cin, 9, -1, activation).Forward;
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < 8; o++)
                for (int s = 0; s < v; s++)
                    BitIdentical(nine[(b * 9 + o) * v + s], eight[(b * 8 + o) * v + s], $"{level} output [{b}, {o}, {s}]");
        // The twin ran: its fused multiply-adds round differently from the body somewhere.
        Assert.False(eight.AsSpan().SequenceEqual(Run(SimdLevel.Off, lx, ly, kernel, batch, cin, 8, -1, activation).Forward),
            $"{level}: the bodies' outputs bit for bit: the twin did not run");
    }

    /// <summary>
    /// The weight-gradient twin's sums bit for bit against a scalar emulation of its arithmetic, which the bound-based
    /// comparison above cannot see: per lane a float FMA of g·x in the twin's order (samples of a block, then rows; four
    /// streams by x mod 4 for one or two channels), into double every FlushTerms terms per lane (the count carried across
    /// row vectors), the lanes summed in lane order, the blocks' partial sums added in double in block order and the
    /// result in float onto the gradient. A change that moves a flush or reorders a sum fails here.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void WeightGradientTwinIsItsScalarEmulation(int lx, int ly, int kernel, int batch, int cin, int cout, int parity, int activation)
    {
        _ = activation;
        foreach (var level in new[] { SimdLevel.Avx2, SimdLevel.Avx512 })
        {
            if (!RowGeometry.TryCreate(Shape(lx, ly, kernel, batch, cin, cout, parity), level, out var g)) continue;
            var twin = Run(level, lx, ly, kernel, batch, cin, cout, parity, ActivationCode.Identity);
            var (gw, gb) = EmulatedWeightGrad(g.Lanes, lx, ly, kernel, batch, cin, cout, parity);
            for (int w = 0; w < gw.Length; w++) BitIdentical(gw[w], twin.WeightGrad[w], $"{level} weight gradient[{w}]");
            for (int o = 0; o < gb.Length; o++) BitIdentical(gb[o], twin.BiasGrad[o], $"{level} bias gradient[{o}]");
        }
    }

    private static (float[] Weights, float[] Biases) EmulatedWeightGrad(int lanes, int lx, int ly, int kernel, int batch, int cin, int cout, int parity)
    {
        var x = Values(batch * cin * lx * ly, 1);
        var gOut = Values(batch * cout * lx * ly, 4);
        var gw = Values(cout * cin * kernel * kernel, 7);
        var gb = Values(cout, 8);
        int r = (kernel - 1) / 2, taps = kernel * kernel, v = lx * ly, n = lanes;
        int pitch = Math.Max(ly, n) + 2 * r, plane = (lx + 2 * r) * pitch, chunks = (ly + n - 1) / n;
        int block = cout <= 2 ? 2 : 8, outPadded = (cout + block - 1) / block * block;
        int perSample = cin * plane + lx * chunks * outPadded * n;
        int perBlock = Math.Clamp(Math.Min((batch + 7) / 8, 49152 / perSample), 1, batch), blocks = (batch + perBlock - 1) / perBlock;
        int weights = cout * cin * taps;
        var partial = new double[blocks, weights + cout];
        int ChunkStart(int j) => Math.Max(0, Math.Min(j * n, ly - n));
        bool Live(int j, int l) => l >= j * n - ChunkStart(j) && ChunkStart(j) + l < ly;
        double LaneOrder(double[,] sums, int k)
        {
            double s = sums[k, 0];
            for (int l = 1; l < n; l++) s += sums[k, l];
            return s;
        }
        for (int blk = 0; blk < blocks; blk++)
        {
            int b0 = blk * perBlock, samples = Math.Min(perBlock, batch - b0);
            for (int o = 0; o < cout; o++)
            {
                for (int i = 0; i < cin; i++)
                    for (int t = 0; t < taps; t++)
                    {
                        int tx = t / kernel - r, ty = t % kernel - r;
                        var acc = new float[4, n];
                        var sums = new double[4, n];
                        void Flush()
                        {
                            for (int k = 0; k < 4; k++)
                                for (int l = 0; l < n; l++) { sums[k, l] += acc[k, l]; acc[k, l] = 0f; }
                        }
                        int terms = 0;
                        for (int j = 0; j < chunks; j++)
                        {
                            int y0 = ChunkStart(j);
                            for (int b = b0; b < b0 + samples; b++)
                            {
                                if (terms + lx > ConvTwins.FlushTerms) { Flush(); terms = 0; }
                                terms += lx;
                                for (int row = 0; row < lx; row++)
                                    for (int l = 0; l < n; l++)
                                    {
                                        int y = y0 + l;
                                        if (!Live(j, l) || (parity >= 0 && ((row + y) & 1) != parity)) continue;
                                        int sx = ((row + tx) % lx + lx) % lx, sy = ((y + ty) % ly + ly) % ly;
                                        int k = block == 8 ? 0 : row & 3;
                                        acc[k, l] = MathF.FusedMultiplyAdd(gOut[(b * cout + o) * v + row * ly + y], x[(b * cin + i) * v + sx * ly + sy], acc[k, l]);
                                    }
                            }
                        }
                        Flush();
                        partial[blk, (o * cin + i) * taps + t] = block == 8 ? LaneOrder(sums, 0)
                            : 0 + LaneOrder(sums, 0) + LaneOrder(sums, 1) + LaneOrder(sums, 2) + LaneOrder(sums, 3);
                    }
                // The bias: Σ g over every site, in four rows of lanes by x mod 4.
                var bias = new double[4, n];
                for (int b = b0; b < b0 + samples; b++)
                    for (int row = 0; row < lx; row++)
                        for (int j = 0; j < chunks; j++)
                            for (int l = 0; l < n; l++)
                                if (Live(j, l)) bias[row & 3, l] += gOut[(b * cout + o) * v + row * ly + ChunkStart(j) + l];
                partial[blk, weights + o] = LaneOrder(bias, 0) + LaneOrder(bias, 1) + LaneOrder(bias, 2) + LaneOrder(bias, 3);
            }
        }
        for (int w = 0; w < weights + cout; w++)
        {
            double sum = 0;
            for (int blk = 0; blk < blocks; blk++) sum += partial[blk, w];
            if (w < weights) gw[w] += (float)sum;
            else gb[w - weights] += (float)sum;
        }
        return (gw, gb);
    }

    [Fact]
    public void TwinsTakeEveryRowLengthAndLeaveLargeRadiiToTheBodies()
    {
        Assert.True(RowGeometry.TryCreate(Shape(12, 6, 3, 1, 1, 8, -1), SimdLevel.Avx2, out var narrow));
        Assert.True(narrow.Narrow && narrow.Lanes == 8 && narrow.Pitch == 10 && narrow.ChunkStart(0) == 0);
        Assert.False(RowGeometry.TryCreate(Shape(12, 2, 7, 1, 1, 8, -1), SimdLevel.Avx2, out _)); // radius 3 > Ly
        Assert.False(RowGeometry.TryCreate(Shape(2, 16, 7, 1, 1, 8, -1), SimdLevel.Avx2, out _)); // radius 3 > Lx: the body runs
        Assert.True(RowGeometry.TryCreate(Shape(2, 16, 5, 1, 1, 8, -1), SimdLevel.Avx2, out _));
        Assert.True(RowGeometry.TryCreate(Shape(6, 10, 3, 1, 1, 8, -1), SimdLevel.Avx2, out var g8));
        Assert.Equal(8, g8.Lanes);
        Assert.True(RowGeometry.TryCreate(Shape(8, 8, 3, 1, 1, 8, -1), SimdLevel.Avx512, out var g));
        Assert.Equal(8, g.Lanes);
        Assert.True(RowGeometry.TryCreate(Shape(6, 18, 3, 1, 1, 8, -1), SimdLevel.Avx512, out var g16));
        Assert.Equal(16, g16.Lanes);
        Assert.False(RowGeometry.TryCreate(Shape(8, 8, 3, 1, 1, 8, -1), SimdLevel.Off, out _));
        Assert.False(RowGeometry.TryCreate(new ConvShape(1, 64, 1, 8, 9, 64, -1, 1, rowLength: 0), SimdLevel.Avx2, out _));
    }

    /// <summary>
    /// The padded tile, element by element, against its definition: tile[c][xp][q] = x[c][(xp − r) mod Lx][(q − r) mod Ly]
    /// for q − r in [−r, Ly + r), zero past that (a narrow row's room for its dead lanes) and on sites of the other colour
    /// when a colour is given. Exact: padding copies. Rows of 8 sites and more with r = 1 take a path of their own (two
    /// rotated vectors for the images); other radii, narrow rows and both colours are here too.
    /// </summary>
    [Theory]
    [InlineData(8, 8, 3)]
    [InlineData(6, 10, 3)]
    [InlineData(3, 9, 3)]
    [InlineData(5, 16, 3)]
    [InlineData(4, 17, 3)]
    [InlineData(1, 24, 3)]
    [InlineData(8, 8, 5)]
    [InlineData(2, 12, 5)]
    [InlineData(6, 6, 3)]
    [InlineData(4, 2, 3)]
    [InlineData(8, 8, 1)]
    public unsafe void PadCopiesEachSiteAndItsPeriodicImages(int lx, int ly, int kernel)
    {
        const int channels = 3;
        Assert.True(RowGeometry.TryCreate(Shape(lx, ly, kernel, 1, channels, 8, -1), SimdLevel.Avx2, out var g));
        var x = Values(channels * g.Volume, 5);
        foreach (int parity in new[] { -1, 0, 1 })
        {
            // Eight canaries past the tile: padding writes nothing beyond it.
            var tile = Enumerable.Repeat(float.NaN, channels * g.Plane + 8).ToArray();
            fixed (float* source = x, t = tile) g.Pad(source, t, channels, parity);
            Assert.All(tile[(channels * g.Plane)..], z => Assert.True(float.IsNaN(z), "Pad wrote past the tile"));
            int r = g.Radius;
            for (int c = 0; c < channels; c++)
                for (int xp = 0; xp < lx + 2 * r; xp++)
                    for (int q = 0; q < g.Pitch; q++)
                    {
                        int sx = ((xp - r) % lx + lx) % lx, sy = ((q - r) % ly + ly) % ly;
                        float expected = q - r >= ly + r || (parity >= 0 && ((sx + sy) & 1) != parity) ? 0f : x[c * g.Volume + sx * ly + sy];
                        float actual = tile[c * g.Plane + xp * g.Pitch + q];
                        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                            $"parity {parity}, channel {c}, padded row {xp}, column {q}: {actual}, expected {expected}");
                    }
        }
    }

    /// <summary>
    /// A narrow row's vector is stored masked: past the last row of the last sample lies memory the conv does not own
    /// (here a sentinel tail; on the launcher, another thread's sample), and an unmasked store of the dead lanes there
    /// would go unseen by the comparisons above, where the next row's own store overwrites them. Forward and input
    /// gradient, no colour, batch 3 on two threads.
    /// </summary>
    [Theory]
    [InlineData(SimdLevel.Avx2)]
    [InlineData(SimdLevel.Avx512)]
    public void NarrowRowsWriteNothingPastTheirOutput(SimdLevel level)
    {
        const int lx = 6, ly = 6, batch = 3, cin = 8, cout = 8, tail = 16;
        const float sentinel = 12345f;
        int v = lx * ly, n = batch * cout * v;
        Assert.True(RowGeometry.TryCreate(Shape(lx, ly, 3, batch, cin, cout, -1), level, out var g) && g.Narrow);
        using var device = new ManagedDevice(DeviceFactory.Context, 2, level);
        using var lattice = new FlowLattice(device, new LatticeFlow.Lattice.LatticeGeometry(lx, ly), 3);
        using var x = Upload(device, Values(batch * cin * v, 1));
        using var w = Upload(device, Values(cout * cin * 9, 2));
        using var bias = Upload(device, Values(cout, 3));
        using var y = Upload(device, [.. Enumerable.Repeat(sentinel, n + tail)]);
        using var gIn = Upload(device, [.. Enumerable.Repeat(sentinel, batch * cin * v + tail)]);
        var c = Shape(lx, ly, 3, batch, cin, cout, -1);
        device.Launch(c.Items, n, new ConvForwardKernel<Floats, Ints>(c, x.View, w.View, bias.View, lattice.Neighbours, lattice.Parity, y.View.SubView(0, n), Leaky));
        device.Launch(c.Items, n, new ConvInputGradKernel<Floats, Ints>(c, y.View.SubView(0, n), w.View, lattice.Neighbours, lattice.Parity,
            gIn.View.SubView(0, batch * cin * v), -1));
        foreach (var (what, a, length) in new[] { ("forward", Download(device, y), n), ("input gradient", Download(device, gIn), batch * cin * v) })
        {
            Assert.All(a[length..], z => Assert.Equal(sentinel, z));
            Assert.DoesNotContain(sentinel, a[..length]);
        }
    }

    private static ConvShape Shape(int lx, int ly, int kernel, int batch, int cin, int cout, int parity) =>
        new(batch, lx * ly, cin, cout, kernel * kernel, lx * ly, parity, 1, ly);

    private sealed record Outputs(float[] Forward, float[] InputGrad, float[] WeightGrad, float[] BiasGrad);

    private static void Compare(SimdLevel level, int lx, int ly, int kernel, int batch, int cin, int cout, int parity, int activation)
    {
        var body = Run(SimdLevel.Off, lx, ly, kernel, batch, cin, cout, parity, activation);
        var twin = Run(level, lx, ly, kernel, batch, cin, cout, parity, activation);
        int v = lx * ly, taps = kernel * kernel;
        var x = Values(batch * cin * v, 1);
        var w = Values(cout * cin * taps, 2);
        var bias = Values(cout, 3);
        var gOut = Values(batch * cout * v, 4);
        var neighbours = Neighbours(lx, ly, kernel);
        // Where the twins take the launch, fused multiply-adds and float lanes round differently from the bodies somewhere:
        // bit-identical outputs would mean the launcher ran the bodies, and the comparison below would prove nothing.
        if (RowGeometry.TryCreate(Shape(lx, ly, kernel, batch, cin, cout, parity), level, out _))
        {
            static bool Differ(float[] a, float[] b) => a.Where((z, j) => BitConverter.SingleToInt32Bits(z) != BitConverter.SingleToInt32Bits(b[j])).Any();
            Assert.True(Differ(body.Forward, twin.Forward) || Differ(body.InputGrad, twin.InputGrad), "the forward and input-gradient twins did not run");
            Assert.True(Differ(body.WeightGrad, twin.WeightGrad), "the weight-gradient twin did not run");
        }

        // Forward: Σ|w·x| + |bias| per output; the activations are 1-Lipschitz and round once more.
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < cout; o++)
                for (int s = 0; s < v; s++)
                {
                    int at = (b * cout + o) * v + s;
                    if (parity >= 0 && Colour(s, ly) != parity) { Assert.Equal(body.Forward[at], twin.Forward[at]); continue; }
                    double sum = Math.Abs(bias[o]);
                    for (int i = 0; i < cin; i++)
                        for (int t = 0; t < taps; t++) sum += Math.Abs(w[(o * cin + i) * taps + t] * x[(b * cin + i) * v + neighbours[s * taps + t]]);
                    Within(body.Forward[at], twin.Forward[at], 2 * Gamma(cin * taps + 1) * sum + 2 * U * Math.Abs(body.Forward[at]), $"forward[{at}] ({level})");
                }
        // Input gradient on the other colour's sites (as the nets use it), g of the output colour.
        int inputParity = parity < 0 ? -1 : 1 - parity;
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < cin; i++)
                for (int s = 0; s < v; s++)
                {
                    int at = (b * cin + i) * v + s;
                    if (inputParity >= 0 && Colour(s, ly) != inputParity) { Assert.Equal(body.InputGrad[at], twin.InputGrad[at]); continue; }
                    double sum = 0;
                    for (int o = 0; o < cout; o++)
                        for (int t = 0; t < taps; t++)
                        {
                            int site = neighbours[s * taps + taps - 1 - t];
                            if (parity < 0 || Colour(site, ly) == parity) sum += Math.Abs(w[(o * cin + i) * taps + t] * gOut[(b * cout + o) * v + site]);
                        }
                    Within(body.InputGrad[at], twin.InputGrad[at], 2 * Gamma(cout * taps) * sum + 2 * U * Math.Abs(body.InputGrad[at]), $"input gradient[{at}] ({level})");
                }
        // Weight and bias gradients, accumulated onto a non-zero start (the kernels add).
        double gw = Gamma(ConvTwins.FlushTerms + 1) + U;
        for (int o = 0; o < cout; o++)
            for (int i = 0; i < cin; i++)
                for (int t = 0; t < taps; t++)
                {
                    double sum = 0;
                    for (int b = 0; b < batch; b++)
                        for (int s = 0; s < v; s++)
                            if (parity < 0 || Colour(s, ly) == parity) sum += Math.Abs(gOut[(b * cout + o) * v + s] * x[(b * cin + i) * v + neighbours[s * taps + t]]);
                    int at = (o * cin + i) * taps + t;
                    Within(body.WeightGrad[at], twin.WeightGrad[at], gw * sum + 2 * U * Math.Abs(body.WeightGrad[at]), $"weight gradient[{at}] ({level})");
                }
        for (int o = 0; o < cout; o++)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++)
                for (int s = 0; s < v; s++) sum += Math.Abs(gOut[(b * cout + o) * v + s]);
            Within(body.BiasGrad[o], twin.BiasGrad[o], 2 * U * sum + 2 * U * Math.Abs(body.BiasGrad[o]), $"bias gradient[{o}] ({level})");
        }
    }

    private static int Colour(int s, int ly) => (s / ly + s % ly) & 1;

    private static Outputs Run(SimdLevel level, int lx, int ly, int kernel, int batch, int cin, int cout, int parity, int activation)
    {
        using var device = new ManagedDevice(DeviceFactory.Context, 2, level);
        using var lattice = new FlowLattice(device, new LatticeFlow.Lattice.LatticeGeometry(lx, ly), kernel);
        int v = lx * ly, taps = kernel * kernel;
        using var x = Upload(device, Values(batch * cin * v, 1));
        using var w = Upload(device, Values(cout * cin * taps, 2));
        using var bias = Upload(device, Values(cout, 3));
        using var gOut = Upload(device, Values(batch * cout * v, 4));
        // Outputs start non-zero, so that sites a one-colour kernel must leave alone are seen to be left alone.
        using var y = Upload(device, Values(batch * cout * v, 5));
        using var gIn = Upload(device, Values(batch * cin * v, 6));
        using var gw = Upload(device, Values(cout * cin * taps, 7));
        using var gb = Upload(device, Values(cout, 8));
        using var partial = device.Allocate<double>(1);
        var c = Shape(lx, ly, kernel, batch, cin, cout, parity);
        long work = (long)batch * v * cin * cout;
        device.Launch(c.Items, work, new ConvForwardKernel<Floats, Ints>(c, x.View, w.View, bias.View, lattice.Neighbours, lattice.Parity, y.View, activation));
        device.Launch(c.Items, work, new ConvInputGradKernel<Floats, Ints>(c, gOut.View, w.View, lattice.Neighbours, lattice.Parity, gIn.View, parity < 0 ? -1 : 1 - parity));
        device.Launch(c.WeightGradItems, work, new ConvWeightGradKernel<Floats, Ints, Reals>(c, gOut.View, x.View, lattice.Neighbours, lattice.Parity, gw.View, gb.View, partial.View));
        return new Outputs(Download(device, y), Download(device, gIn), Download(device, gw), Download(device, gb));
    }

    private static int[] Neighbours(int lx, int ly, int kernel)
    {
        int r = (kernel - 1) / 2, taps = kernel * kernel;
        var nb = new int[lx * ly * taps];
        for (int x = 0; x < lx; x++)
            for (int y = 0; y < ly; y++)
                for (int a = -r; a <= r; a++)
                    for (int c = -r; c <= r; c++)
                        nb[(x * ly + y) * taps + (a + r) * kernel + c + r] = ((x + a) % lx + lx) % lx * ly + ((y + c) % ly + ly) % ly;
        return nb;
    }
}
