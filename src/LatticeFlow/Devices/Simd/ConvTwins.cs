using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Host SIMD twins of the three convolution kernels (<see cref="ConvForwardKernel{TF, TI}"/>,
/// <see cref="ConvInputGradKernel{TF, TI}"/>, <see cref="ConvWeightGradKernel{TF, TI, TD}"/>): the same sums, with the
/// lanes of a vector running along a lattice row (consecutive y of one x, contiguous in the [sample, channel, site]
/// layout the bodies use, so no kernel around them changes).
/// <para>
/// Layout made for them: each sample's input channels are first copied into a padded tile, [channel][Lx + 2r][Ly + 2r]
/// with the periodic images of the border (circular padding, r = (K − 1)/2), so that every tap of a row of outputs is one
/// unaligned vector load at a fixed offset; the weights are transposed per launch to [in, tap, out] (a few hundred
/// floats), so the weights of adjacent output channels lie side by side and are broadcast from constant displacements.
/// The forward's inner loop then costs one input load and, per output channel, a broadcast and an FMA: eight output
/// channels share each load in eight accumulators (four rows of two for the last conv's two channels).
/// Rows of Ly not a multiple of the lane count end with an overlapping vector (computed twice, stored identically, and
/// masked out of sums). Rows narrower than the lanes (Ly &lt; 8: L = 6, say) take one vector whose lanes past Ly are
/// dead: the tile's pitch leaves room for them (their reads stay inside the padded tile; what they compute is never
/// stored or summed), stores are masked (vmaskmovps) and sums drop them. The
/// input gradient is the forward conv of the padded output gradient with flipped taps and transposed channels.
/// </para>
/// <para>
/// Tolerance against the bodies, and why. Forward and input gradient: the same terms summed in the same order, each
/// multiply-add fused (one rounding instead of two), so by Higham's bound for a dot product of n terms (Accuracy and
/// Stability of Numerical Algorithms, 2nd ed., eq. 3.5) both lie within γ_n Σ|terms| of the exact sum, γ_n = n·u/(1 − n·u),
/// u = 2⁻²⁴, n = in-channels × taps + 1: |twin − body| ≤ 2γ_n Σ|w·x| (+ |bias|), about 8.7·10⁻⁶ of Σ|terms| for 8 × 9 taps;
/// the activations are 1-Lipschitz and add a float rounding (tanh: the vector exp's last bit before that). Weight gradient:
/// the body sums float products in double; the twin sums FMA products in float lanes and adds them into double every
/// <see cref="FlushTerms"/> terms per lane, so |twin − body| ≤ (γ_{FlushTerms + 1} + u) Σ|g·x| + 2u|result|, about
/// 1.6·10⁻⁵ of Σ|terms|, whatever the batch and volume. Bias gradient: both sum the same floats in double (in
/// different orders, whose difference, ~N·2⁻⁵³ Σ|g|, is far below a float rounding), so |twin − body| ≤ 2u Σ|g| +
/// 2u|result|. tests/LatticeFlow.Tests/Devices/ConvTwinTests.cs checks each
/// element against these bounds.
/// </para>
/// Items are samples (forward, input gradient) or weights (weight gradient), each summed in a fixed order, so results do
/// not depend on the thread count.
/// </summary>
internal static unsafe class ConvTwins
{
    /// <summary>Terms each float lane of a weight-gradient sum takes before it is added into double.</summary>
    public const int FlushTerms = 256;

    public static bool Forward<TF, TI>(ConvForwardKernel<TF, TI> k, TwinContext context, int items, long sites)
        where TF : struct, IView<float> where TI : struct, IView<int>
    {
        var c = k.Shape;
        if (!RowGeometry.TryCreate(c, context.Level, out var g)) return false;
        int cin = c.InChannels, cout = c.OutChannels, taps = c.Taps;
        var plan = RowsPlan.Create(context, g, cin, cout);
        float* w = k.Weights.Host.Pointer, bias = k.Bias.Host.Pointer;
        for (int i = 0; i < cin; i++)
            for (int t = 0; t < taps; t++)
                for (int o = 0; o < plan.OutPadded; o++)
                    plan.Weights[(i * taps + t) * plan.OutPadded + o] = o < cout ? w[(o * cin + i) * taps + t] : 0f;
        for (int o = 0; o < plan.OutPadded; o++) plan.Bias[o] = o < cout ? bias[o] : 0f;
        plan.SetOffsets(g, cin);
        Launch(context, g, plan, k.Input.Host.Pointer, k.Output.Host.Pointer, c.Batch, cin, cout, k.Activation, c.Parity, inputParity: -1, sites);
        return true;
    }

    public static bool InputGrad<TF, TI>(ConvInputGradKernel<TF, TI> k, TwinContext context, int items, long sites)
        where TF : struct, IView<float> where TI : struct, IView<int>
    {
        var c = k.Shape;
        if (!RowGeometry.TryCreate(c, context.Level, out var g)) return false;
        // The forward conv of g (channels: the conv's outputs) into the conv's inputs, with taps flipped: tap t' is −δ_t.
        int cin = c.OutChannels, cout = c.InChannels, taps = c.Taps;
        var plan = RowsPlan.Create(context, g, cin, cout);
        float* w = k.Weights.Host.Pointer;
        for (int o = 0; o < cin; o++)
            for (int t = 0; t < taps; t++)
                for (int i = 0; i < plan.OutPadded; i++)
                    plan.Weights[(o * taps + t) * plan.OutPadded + i] = i < cout ? w[(o * cout + i) * taps + taps - 1 - t] : 0f;
        for (int i = 0; i < plan.OutPadded; i++) plan.Bias[i] = 0f;
        plan.SetOffsets(g, cin);
        Launch(context, g, plan, k.GradOut.Host.Pointer, k.GradIn.Host.Pointer, c.Batch, cin, cout, ActivationCode.Identity, k.InputParity,
            inputParity: c.Parity, sites);
        return true;
    }

    public static bool WeightGrad<TF, TI, TD>(ConvWeightGradKernel<TF, TI, TD> k, TwinContext context, int items, long sites)
        where TF : struct, IView<float> where TI : struct, IView<int> where TD : struct, IView<double>
    {
        var c = k.Shape;
        // Rows are summed in pairs (of opposite colour): an odd Lx (no checkerboard lattice has one) runs the body.
        if (c.Slices != 1 || !RowGeometry.TryCreate(c, context.Level, out var g) || g.Lx > FlushTerms || g.Lx % 2 != 0) return false;
        int cin = c.InChannels, cout = c.OutChannels, parameters = c.Parameters;
        int block = cout <= 2 ? 2 : 8, outPadded = (cout + block - 1) / block * block;
        // Blocks of about an eighth of the batch (items for the threads), at most ~192 KB of padded inputs and re-laid
        // gradients (L2: an item's loops over (input, tap), or (input, kernel row), re-read them). Long blocks amortise
        // each loop's set-up: on the tutorial's 8 → 8 conv, blocks of 4 samples (L1-sized) ran the launch at half the
        // speed of blocks of 8. Each block sums into its own row of partial sums, added up in block order below: the block
        // size depends on the shape alone, so results do not depend on the thread count.
        int perSample = cin * g.Plane + g.Lx * g.Chunks * outPadded * g.Lanes;
        int perBlock = Math.Clamp(Math.Min((c.Batch + 7) / 8, 49152 / perSample), 1, c.Batch), blocks = (c.Batch + perBlock - 1) / perBlock;
        int maskFloats = g.Chunks * 3 * g.Lanes;
        float* scratch = context.Scratch(2L * blocks * parameters + maskFloats + 16);
        double* partial = (double*)scratch;
        float* masks = scratch + 2L * blocks * parameters;
        g.FillMasks(masks, c.Parity);
        var plan = new WeightGradPlan(g, k.GradOut.Host.Pointer, k.Input.Host.Pointer, masks, partial, c.Batch, perBlock, cin, cout, parameters, block, outPadded);
        if (g.Lanes == 16) context.Launcher.Launch(blocks, sites, new WeightGradKernel<Lanes16, Vector512<float>>(plan));
        else context.Launcher.Launch(blocks, sites, new WeightGradKernel<Lanes8, Vector256<float>>(plan));
        float* gw = k.GradWeights.Host.Pointer, gb = k.GradBias.Host.Pointer;
        int weights = parameters - cout;
        for (int w = 0; w < parameters; w++)
        {
            double sum = 0;
            for (int b = 0; b < blocks; b++) sum += partial[(long)b * parameters + w];
            if (w < weights) gw[w] += (float)sum;
            else gb[w - weights] += (float)sum;
        }
        return true;
    }

    private static void Launch(TwinContext context, RowGeometry g, RowsPlan plan, float* input, float* output, int batch, int cin, int cout,
        int activation, int outputParity, int inputParity, long sites)
    {
        var rows = new RowsArguments(g, plan, input, output, cin, cout, activation, outputParity, inputParity);
        if (g.Lanes == 16) context.Launcher.Launch(batch, sites, new RowsKernel<Lanes16, Vector512<float>>(rows));
        else context.Launcher.Launch(batch, sites, new RowsKernel<Lanes8, Vector256<float>>(rows));
    }
}

/// <summary>
/// The lattice as the twins see it: Lx rows of Ly sites, a K × K stencil of radius r, the padded tile of one channel
/// ([Lx + 2r][Ly + 2r], pitch P = Ly + 2r), and the lane count: 16 where AVX-512 runs and rows hold 16 sites, else 8.
/// </summary>
internal readonly struct RowGeometry
{
    public readonly int Lx, Ly, Volume, Radius, Kernel, Taps, Pitch, Plane, Lanes, Chunks;

    /// <summary>Rows shorter than the lanes: one vector per row, lanes Ly … Lanes − 1 dead (masked loads, stores and sums).</summary>
    public bool Narrow => Ly < Lanes;

    private RowGeometry(int lx, int ly, int kernel, int lanes)
    {
        Lx = lx;
        Ly = ly;
        Volume = lx * ly;
        Kernel = kernel;
        Taps = kernel * kernel;
        Radius = (kernel - 1) / 2;
        // Rows narrower than the lanes get room for one whole vector, so that its dead lanes' taps stay inside the tile.
        Pitch = Math.Max(ly, lanes) + 2 * Radius;
        Plane = (lx + 2 * Radius) * Pitch;
        Lanes = lanes;
        Chunks = (ly + lanes - 1) / lanes;
    }

    /// <summary>
    /// The geometry of a conv launch, or false when the twin does not run it (no row length, a stencil radius beyond Lx or
    /// Ly, no SIMD).
    /// </summary>
    public static bool TryCreate(ConvShape c, SimdLevel level, out RowGeometry g)
    {
        g = default;
        int ly = c.RowLength, kernel = (int)Math.Round(Math.Sqrt(c.Taps));
        // Pad wraps a padded row's x once (it starts at x = Lx − r) and a row's periodic images once (Ly − j): r ≤ Lx, Ly.
        if (ly <= 0 || c.Volume % ly != 0 || kernel * kernel != c.Taps || kernel % 2 == 0 || kernel / 2 > Math.Min(ly, c.Volume / ly)) return false;
        int lanes = level == SimdLevel.Avx512 && ly >= 16 ? 16 : level >= SimdLevel.Avx2 ? 8 : 0;
        if (lanes == 0) return false;
        g = new RowGeometry(c.Volume / ly, ly, kernel, lanes);
        return true;
    }

    /// <summary>
    /// First site (y) of vector j of a row: the last vector ends at the row's end and may overlap the one before; a narrow
    /// row's one vector starts at 0.
    /// </summary>
    public int ChunkStart(int j) => Math.Max(0, Math.Min(j * Lanes, Ly - Lanes));

    /// <summary>
    /// Masks of the lanes a sum counts, [chunk j][x mod 2, or 2 for no colour][lane]: lanes an overlapping last vector
    /// repeats and a narrow row's dead lanes are off, and in the first two, with <paramref name="parity"/> ≥ 0, so are
    /// sites of the other colour.
    /// </summary>
    public unsafe void FillMasks(float* masks, int parity)
    {
        float on = BitConverter.Int32BitsToSingle(-1);
        for (int j = 0; j < Chunks; j++)
        {
            int y0 = ChunkStart(j), first = j * Lanes - y0;
            for (int px = 0; px < 3; px++)
                for (int l = 0; l < Lanes; l++)
                    masks[(j * 3 + px) * Lanes + l] = l >= first && y0 + l < Ly && (parity < 0 || px == 2 || ((px + y0 + l) & 1) == parity) ? on : 0f;
        }
    }

    /// <summary>
    /// Copies channels [0, channels) of one sample ([channel][site]) into the padded tile; with <paramref name="parity"/> ≥ 0
    /// sites of the other colour are copied as zero (the gradient of outputs the forward pass did not compute). Each padded
    /// row is copied from its source row in 8-float vectors, the last overlapping the one before, and its periodic images
    /// from the source too (rows narrower than 8 sites element by element, with zeros up to the pitch). Nothing here
    /// divides (this runs for every row of every input of every conv), and nothing reads the tile back: a load of an
    /// element of a vector just stored waits for the store to retire (no store forwarding). docs/results/performance-simd.md
    /// has what both cost.
    /// </summary>
    public unsafe void Pad(float* source, float* tile, int channels, int parity)
    {
        int r = Radius;
        Debug.Assert(r <= Lx && r <= Ly, "TryCreate admits only radii within Lx, Ly");
        if (Narrow)
        {
            PadNarrow(source, tile, channels, parity);
            return;
        }
        if (r == 1)
        {
            PadRadius1(source, tile, channels, parity);
            return;
        }
        var evenLanes = Vector256.Create(-1, 0, -1, 0, -1, 0, -1, 0).AsSingle();
        var oddLanes = ~evenLanes;
        for (int ch = 0; ch < channels; ch++)
        {
            int x = (Lx - r) % Lx;
            for (int xp = 0; xp < Lx + 2 * r; xp++, x = x + 1 == Lx ? 0 : x + 1)
            {
                float* s = source + ch * Volume + x * Ly;
                float* d = tile + ch * Plane + xp * Pitch + r;
                for (int y0 = 0; ; y0 += 8)
                {
                    int y = Math.Min(y0, Ly - 8);
                    var v = Vector256.Load(s + y);
                    // Lane l holds site (x, y + l), of colour parity when (l & 1) = (parity ^ x ^ y) & 1.
                    if (parity >= 0) v &= ((parity ^ x ^ y) & 1) == 0 ? evenLanes : oddLanes;
                    v.Store(d + y);
                    if (y0 + 8 >= Ly) break;
                }
                for (int j = 1; j <= r; j++)
                {
                    int left = Ly - j, right = j - 1;
                    d[-j] = parity < 0 || ((x + left) & 1) == parity ? s[left] : 0f;
                    d[Ly - 1 + j] = parity < 0 || ((x + right) & 1) == parity ? s[right] : 0f;
                }
            }
        }
    }

    // Pad for 3 × 3 stencils on rows of at least 8 sites. A padded row [s(Ly − 1), s(0), …, s(Ly − 1), s(0)] is the row's
    // vectors and two more: its first vector rotated by one lane towards higher y with the row's last site in lane 0 (the
    // left image and y = 0 … 6), and its last vector rotated towards lower y with the first site in lane 7 (y = Ly − 7 …
    // Ly − 1 and the right image). No scalar stores and no per-image colour tests: each image is masked in the vector it
    // is taken from, as the site it repeats.
    private unsafe void PadRadius1(float* source, float* tile, int channels, int parity)
    {
        var all = Vector256<float>.AllBitsSet;
        var evenLanes = Vector256.Create(-1, 0, -1, 0, -1, 0, -1, 0).AsSingle();
        var oddLanes = ~evenLanes;
        var laneZero = Vector256.Create(-1, 0, 0, 0, 0, 0, 0, 0).AsSingle();
        var laneSeven = Vector256.Create(0, 0, 0, 0, 0, 0, 0, -1).AsSingle();
        var towardsHigher = Vector256.Create(7, 0, 1, 2, 3, 4, 5, 6);
        var towardsLower = Vector256.Create(1, 2, 3, 4, 5, 6, 7, 0);
        int last = Ly - 8;
        // Lane l of the vector at y holds site (x, y + l), of colour parity when (l & 1) = (parity ^ x ^ y) & 1; the
        // masks by x mod 2 of the vectors at y ≡ 0 (mod 8) and at y = last.
        Vector256<float> firstEven = all, firstOdd = all, lastEven = all, lastOdd = all;
        if (parity >= 0)
        {
            firstEven = (parity & 1) == 0 ? evenLanes : oddLanes;
            firstOdd = ~firstEven;
            lastEven = ((parity ^ last) & 1) == 0 ? evenLanes : oddLanes;
            lastOdd = ~lastEven;
        }
        for (int ch = 0; ch < channels; ch++)
        {
            float* plane = source + ch * Volume;
            float* d = tile + ch * Plane + 1;
            for (int xp = 0, x = Lx - 1; xp < Lx + 2; xp++, x = x + 1 == Lx ? 0 : x + 1, d += Pitch)
            {
                float* s = plane + x * Ly;
                var mask = (x & 1) == 0 ? firstEven : firstOdd;
                var first = Vector256.Load(s) & mask;
                var end = Vector256.Load(s + last) & ((x & 1) == 0 ? lastEven : lastOdd);
                Vector256.ConditionalSelect(laneZero, Vector256.Shuffle(end, towardsHigher), Vector256.Shuffle(first, towardsHigher)).Store(d - 1);
                for (int y = 8; y < last; y += 8) (Vector256.Load(s + y) & mask).Store(d + y);
                if (last > 0)
                {
                    first.Store(d);
                    end.Store(d + last);
                }
                Vector256.ConditionalSelect(laneSeven, Vector256.Shuffle(first, towardsLower), Vector256.Shuffle(end, towardsLower)).Store(d + last + 1);
            }
        }
    }

    // Pad for rows narrower than 8 sites, element by element: the row, its periodic images, and zeros to the pitch.
    private unsafe void PadNarrow(float* source, float* tile, int channels, int parity)
    {
        int r = Radius;
        for (int ch = 0; ch < channels; ch++)
        {
            int x = (Lx - r) % Lx;
            for (int xp = 0; xp < Lx + 2 * r; xp++, x = x + 1 == Lx ? 0 : x + 1)
            {
                float* s = source + ch * Volume + x * Ly;
                float* d = tile + ch * Plane + xp * Pitch;
                for (int c = 0; c < Pitch; c++)
                {
                    int y = c - r;
                    if (y >= Ly + r) d[c] = 0f;
                    else
                    {
                        y = y < 0 ? y + Ly : y >= Ly ? y - Ly : y;
                        d[c] = parity < 0 || ((x + y) & 1) == parity ? s[y] : 0f;
                    }
                }
            }
        }
    }
}

/// <summary>
/// Scratch of one forward-style launch: transposed weights [in][tap][out padded], padded bias, tap offsets in the tile, store
/// masks (lanes of colour 0, of colour 1, and the live lanes of a narrow row).
/// </summary>
internal readonly unsafe struct RowsPlan
{
    public readonly float* Weights, Bias, ParityMasks;
    public readonly int* Offsets;
    public readonly int OutPadded, OutBlock;

    private RowsPlan(float* weights, float* bias, int* offsets, float* parityMasks, int outPadded, int outBlock)
    {
        Weights = weights;
        Bias = bias;
        Offsets = offsets;
        ParityMasks = parityMasks;
        OutPadded = outPadded;
        OutBlock = outBlock;
    }

    /// <summary>Blocks of eight output channels (eight accumulators of one row vector), or of two for one or two channels (two channels × four rows).</summary>
    public static RowsPlan Create(TwinContext context, RowGeometry g, int cin, int cout)
    {
        int block = cout <= 2 ? 2 : 8;
        int outPadded = (cout + block - 1) / block * block;
        int weights = cin * g.Taps * outPadded;
        float* s = context.Scratch(weights + outPadded + cin * g.Taps + 3 * g.Lanes + 64);
        float* bias = s + weights;
        int* offsets = (int*)(bias + outPadded);
        float* masks = (float*)(offsets + cin * g.Taps);
        float on = BitConverter.Int32BitsToSingle(-1);
        for (int p = 0; p < 2; p++)
            for (int l = 0; l < g.Lanes; l++) masks[p * g.Lanes + l] = (l & 1) == p ? on : 0f;
        for (int l = 0; l < g.Lanes; l++) masks[2 * g.Lanes + l] = l < g.Ly ? on : 0f;
        return new RowsPlan(s, bias, offsets, masks, outPadded, block);
    }

    /// <summary>Offsets[i·taps + t] = where tap t of input channel i lies in the padded tile, from the centre site.</summary>
    public void SetOffsets(RowGeometry g, int cin)
    {
        int r = g.Radius;
        for (int i = 0; i < cin; i++)
            for (int t = 0; t < g.Taps; t++)
                Offsets[i * g.Taps + t] = i * g.Plane + (t / g.Kernel - r) * g.Pitch + t % g.Kernel - r;
    }
}

/// <summary>The arguments of <see cref="RowsKernel{TL, TV}"/>.</summary>
internal readonly unsafe struct RowsArguments(RowGeometry g, RowsPlan plan, float* input, float* output, int cin, int cout,
    int activation, int outputParity, int inputParity)
{
    public readonly RowGeometry G = g;
    public readonly RowsPlan Plan = plan;
    public readonly float* Input = input, Output = output;
    public readonly int In = cin, Out = cout, Activation = activation, OutputParity = outputParity, InputParity = inputParity;
}

/// <summary>Per-thread padded tiles (the workers persist, so these are allocated once per thread and size).</summary>
internal static unsafe class TwinBuffers
{
    [ThreadStatic] private static float[]? _tile;

    /// <summary>
    /// At least <paramref name="floats"/> floats, 64-byte aligned (a vector load that straddles two cache lines costs
    /// two), valid on this thread until its next call; pinned on the pinned-object heap, so the pointer never moves.
    /// </summary>
    public static float* Tile(int floats)
    {
        var t = _tile;
        if (t is null || t.Length < floats + 16) _tile = t = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        var p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(t));
        return (float*)(((nint)p + 63) & ~(nint)63);
    }
}

/// <summary>
/// The weight gradient's accumulators: Rows4x3's four output channels × three taps (A[3·o + kx]), Rows3x4's three taps ×
/// four row streams of one channel (A[4·kx + u]), or the first eight for Rows8 (eight channels) and Rows2x4 (two channels
/// × four row streams), which pass the last four through: a struct returned with fields unassigned is zeroed by a helper
/// call, and with that call in the method the JIT kept every accumulator in memory across the loops (DOTNET_JitDisasm).
/// </summary>
internal struct Sums12<TV> where TV : unmanaged
{
    public TV A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11;
}

/// <summary>Eight vectors of sums, returned from the inner loops (kept apart from the epilogue's exp calls, see docs/flow.md).</summary>
internal struct Sums8<TV> where TV : unmanaged
{
    public TV A0, A1, A2, A3, A4, A5, A6, A7;
}

/// <summary>
/// out[b, o, row vector] = act(bias[o] + Σ_{i,t} W[i, t, o] · tile[i, row vector + δ_t]) for one sample per item: the
/// forward twin and, with the output gradient as input, the input-gradient twin (see <see cref="ConvTwins"/>).
/// </summary>
internal readonly unsafe struct RowsKernel<TL, TV>(RowsArguments a) : IKernel where TL : struct, ILanes<TV> where TV : unmanaged
{
    private readonly RowsArguments _a = a;

    public void Execute(int b)
    {
        var a = _a;
        var g = a.G;
        int n = a.In * g.Taps, positions = g.Lx * g.Chunks;
        float* tile = TwinBuffers.Tile(a.In * g.Plane);
        g.Pad(a.Input + (long)b * a.In * g.Volume, tile, a.In, a.InputParity);
        float* centre = tile + g.Radius * g.Pitch + g.Radius;
        float* output = a.Output + (long)b * a.Out * g.Volume;
        if (a.Plan.OutBlock == 8)
        {
            // Whole blocks of eight channels, full rows, every site stored, no call in the activation: the sums go from the
            // registers through the activation to the output (Sum8Store), with no round trip through Sums8 and Emit.
            if (a.Out % 8 == 0 && !g.Narrow && a.OutputParity < 0 && a.Activation != ActivationCode.Tanh)
            {
                for (int o = 0; o < a.Out; o += 8)
                    for (int q = 0; q < positions; q++)
                    {
                        int x = q / g.Chunks, y0 = g.ChunkStart(q - x * g.Chunks);
                        Sum8Store(centre + x * g.Pitch + y0, a.Plan.Offsets, n, a.Plan.Weights + o, a.Plan.OutPadded, a.Plan.Bias + o,
                            output + o * g.Volume + x * g.Ly + y0, g.Volume, a.Activation == ActivationCode.LeakyRelu);
                    }
                return;
            }
            for (int o = 0; o < a.Out; o += 8)
                for (int q = 0; q < positions; q++)
                {
                    int x = q / g.Chunks, y0 = g.ChunkStart(q - x * g.Chunks), site = x * g.Ly + y0;
                    var s = Sum8(centre + x * g.Pitch + y0, a.Plan.Offsets, n, a.Plan.Weights + o, a.Plan.OutPadded, a.Plan.Bias + o);
                    float* d = output + o * g.Volume + site;
                    int left = a.Out - o;
                    Emit(s.A0, d, x, y0);
                    if (left > 1) Emit(s.A1, d + g.Volume, x, y0);
                    if (left > 2) Emit(s.A2, d + 2 * g.Volume, x, y0);
                    if (left > 3) Emit(s.A3, d + 3 * g.Volume, x, y0);
                    if (left > 4) Emit(s.A4, d + 4 * g.Volume, x, y0);
                    if (left > 5) Emit(s.A5, d + 5 * g.Volume, x, y0);
                    if (left > 6) Emit(s.A6, d + 6 * g.Volume, x, y0);
                    if (left > 7) Emit(s.A7, d + 7 * g.Volume, x, y0);
                }
            return;
        }
        // One or two channels: four row vectors at a time; a last group past the end repeats its last vector unstored.
        for (int q = 0; q < positions; q += 4)
        {
            int q1 = Math.Min(q + 1, positions - 1), q2 = Math.Min(q + 2, positions - 1), q3 = Math.Min(q + 3, positions - 1);
            int x0 = q / g.Chunks, x1 = q1 / g.Chunks, x2 = q2 / g.Chunks, x3 = q3 / g.Chunks;
            int y0 = g.ChunkStart(q - x0 * g.Chunks), y1 = g.ChunkStart(q1 - x1 * g.Chunks), y2 = g.ChunkStart(q2 - x2 * g.Chunks), y3 = g.ChunkStart(q3 - x3 * g.Chunks);
            var s = Sum2x4(centre + x0 * g.Pitch + y0, centre + x1 * g.Pitch + y1, centre + x2 * g.Pitch + y2, centre + x3 * g.Pitch + y3,
                a.Plan.Offsets, n, a.Plan.Weights, a.Plan.Bias);
            Emit(s.A0, output + x0 * g.Ly + y0, x0, y0);
            if (a.Out > 1) Emit(s.A4, output + g.Volume + x0 * g.Ly + y0, x0, y0);
            if (q + 1 < positions)
            {
                Emit(s.A1, output + x1 * g.Ly + y1, x1, y1);
                if (a.Out > 1) Emit(s.A5, output + g.Volume + x1 * g.Ly + y1, x1, y1);
            }
            if (q + 2 < positions)
            {
                Emit(s.A2, output + x2 * g.Ly + y2, x2, y2);
                if (a.Out > 1) Emit(s.A6, output + g.Volume + x2 * g.Ly + y2, x2, y2);
            }
            if (q + 3 < positions)
            {
                Emit(s.A3, output + x3 * g.Ly + y3, x3, y3);
                if (a.Out > 1) Emit(s.A7, output + g.Volume + x3 * g.Ly + y3, x3, y3);
            }
        }
    }

    // The activation and the store of one row vector; with an output colour, the other colour's sites keep what they held.
    // A narrow row stores its live lanes only: past them lie the next row's sites, or another sample's (another thread's).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Emit(TV sum, float* destination, int x, int y0)
    {
        TV y = _a.Activation switch
        {
            ActivationCode.LeakyRelu => TL.Select(TL.GreaterThanZero(sum), sum, TL.Multiply(sum, TL.Broadcast(ActivationCode.LeakySlope))),
            ActivationCode.Tanh => TL.Tanh(sum),
            _ => sum,
        };
        if (_a.G.Narrow)
        {
            TV live = TL.Load(_a.Plan.ParityMasks + 2 * TL.Count);
            if (_a.OutputParity >= 0) live = TL.And(live, TL.Load(_a.Plan.ParityMasks + ((_a.OutputParity ^ x ^ y0) & 1) * TL.Count));
            TL.MaskStore(destination, live, y);
            return;
        }
        if (_a.OutputParity >= 0) y = TL.Select(TL.Load(_a.Plan.ParityMasks + ((_a.OutputParity ^ x ^ y0) & 1) * TL.Count), y, TL.Load(destination));
        TL.Store(destination, y);
    }

    // Eight output channels of one row vector: one load of the input per tap, eight broadcast weights, eight FMAs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Sums8<TV> Sum8(float* centre, int* offsets, int n, float* w, int stride, float* bias)
    {
        Accumulate8(centre, offsets, n, w, stride, bias, out var a0, out var a1, out var a2, out var a3, out var a4, out var a5, out var a6, out var a7);
        return new Sums8<TV> { A0 = a0, A1 = a1, A2 = a2, A3 = a3, A4 = a4, A5 = a5, A6 = a6, A7 = a7 };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate8(float* centre, int* offsets, int n, float* w, int stride, float* bias,
        out TV a0, out TV a1, out TV a2, out TV a3, out TV a4, out TV a5, out TV a6, out TV a7)
    {
        a0 = TL.Broadcast(bias[0]); a1 = TL.Broadcast(bias[1]); a2 = TL.Broadcast(bias[2]); a3 = TL.Broadcast(bias[3]);
        a4 = TL.Broadcast(bias[4]); a5 = TL.Broadcast(bias[5]); a6 = TL.Broadcast(bias[6]); a7 = TL.Broadcast(bias[7]);
        for (int t = 0; t < n; t++)
        {
            TV v = TL.Load(centre + offsets[t]);
            a0 = TL.MultiplyAdd(TL.Broadcast(w[0]), v, a0);
            a1 = TL.MultiplyAdd(TL.Broadcast(w[1]), v, a1);
            a2 = TL.MultiplyAdd(TL.Broadcast(w[2]), v, a2);
            a3 = TL.MultiplyAdd(TL.Broadcast(w[3]), v, a3);
            a4 = TL.MultiplyAdd(TL.Broadcast(w[4]), v, a4);
            a5 = TL.MultiplyAdd(TL.Broadcast(w[5]), v, a5);
            a6 = TL.MultiplyAdd(TL.Broadcast(w[6]), v, a6);
            a7 = TL.MultiplyAdd(TL.Broadcast(w[7]), v, a7);
            w += stride;
        }
    }

    /// <summary>
    /// <see cref="Sum8"/> followed by <see cref="Emit"/>'s activation (identity or leaky ReLU, the same operations) and a
    /// store of all eight channels, <paramref name="volume"/> floats apart: bit-identical to the two.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sum8Store(float* centre, int* offsets, int n, float* w, int stride, float* bias, float* d, int volume, bool leaky)
    {
        Accumulate8(centre, offsets, n, w, stride, bias, out var a0, out var a1, out var a2, out var a3, out var a4, out var a5, out var a6, out var a7);
        if (leaky)
        {
            TV slope = TL.Broadcast(ActivationCode.LeakySlope);
            a0 = TL.Select(TL.GreaterThanZero(a0), a0, TL.Multiply(a0, slope));
            a1 = TL.Select(TL.GreaterThanZero(a1), a1, TL.Multiply(a1, slope));
            a2 = TL.Select(TL.GreaterThanZero(a2), a2, TL.Multiply(a2, slope));
            a3 = TL.Select(TL.GreaterThanZero(a3), a3, TL.Multiply(a3, slope));
            a4 = TL.Select(TL.GreaterThanZero(a4), a4, TL.Multiply(a4, slope));
            a5 = TL.Select(TL.GreaterThanZero(a5), a5, TL.Multiply(a5, slope));
            a6 = TL.Select(TL.GreaterThanZero(a6), a6, TL.Multiply(a6, slope));
            a7 = TL.Select(TL.GreaterThanZero(a7), a7, TL.Multiply(a7, slope));
        }
        TL.Store(d, a0);
        TL.Store(d + volume, a1);
        TL.Store(d + 2 * volume, a2);
        TL.Store(d + 3 * volume, a3);
        TL.Store(d + 4 * volume, a4);
        TL.Store(d + 5 * volume, a5);
        TL.Store(d + 6 * volume, a6);
        TL.Store(d + 7 * volume, a7);
    }

    // Two output channels of four row vectors (A0–A3 channel 0, A4–A7 channel 1): four loads and two broadcasts per tap.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Sums8<TV> Sum2x4(float* c0, float* c1, float* c2, float* c3, int* offsets, int n, float* w, float* bias)
    {
        TV b0 = TL.Broadcast(bias[0]), b1 = TL.Broadcast(bias[1]);
        TV a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b1, a5 = b1, a6 = b1, a7 = b1;
        for (int t = 0; t < n; t++)
        {
            int off = offsets[t];
            TV v0 = TL.Load(c0 + off), v1 = TL.Load(c1 + off), v2 = TL.Load(c2 + off), v3 = TL.Load(c3 + off);
            TV w0 = TL.Broadcast(w[0]), w1 = TL.Broadcast(w[1]);
            a0 = TL.MultiplyAdd(w0, v0, a0);
            a1 = TL.MultiplyAdd(w0, v1, a1);
            a2 = TL.MultiplyAdd(w0, v2, a2);
            a3 = TL.MultiplyAdd(w0, v3, a3);
            a4 = TL.MultiplyAdd(w1, v0, a4);
            a5 = TL.MultiplyAdd(w1, v1, a5);
            a6 = TL.MultiplyAdd(w1, v2, a6);
            a7 = TL.MultiplyAdd(w1, v3, a7);
            w += 2;
        }
        return new Sums8<TV> { A0 = a0, A1 = a1, A2 = a2, A3 = a3, A4 = a4, A5 = a5, A6 = a6, A7 = a7 };
    }
}

/// <summary>Which weight-gradient loop sums a block: see <see cref="WeightGradKernel{TL, TV}"/>.</summary>
internal enum RowsKind { TwoByFour, Eight, FourByThree, ThreeByFour }

/// <summary>The arguments of <see cref="WeightGradKernel{TL, TV}"/>: one item per block of samples.</summary>
internal readonly unsafe struct WeightGradPlan(RowGeometry g, float* gradOut, float* input, float* masks, double* partial,
    int batch, int perBlock, int cin, int cout, int parameters, int block, int outPadded)
{
    public readonly RowGeometry G = g;
    public readonly float* GradOut = gradOut, Input = input, Masks = masks;
    public readonly double* Partial = partial;
    public readonly int Batch = batch, PerBlock = perBlock, In = cin, Out = cout, Parameters = parameters, Block = block, OutPadded = outPadded;
}

/// <summary>
/// The sums of gw[o, i, t] = Σ_{b, s} g[b, o, s] · in[b, i, s + δ_t] and gb[o] = Σ_{b, s} g[b, o, s] (every site, as the
/// body) over one block of samples, into the block's row of partial sums [weights [o][i][t], then biases]. The block's
/// inputs are padded ([sample][channel] tiles) and its output gradient re-laid as [sample][x][row vector][channel][lane],
/// so the gradients of a row vector's output channels lie at constant displacements from one pointer. Four output
/// channels × the three taps of a kernel row of one input are twelve accumulators (3 × 3 kernels: each gradient vector
/// read serves three taps), as are the three taps × four row streams of one channel where there are one or two (3 × 3,
/// rows of several vectors; rows of one vector, whose gradients stay in L1, keep Rows2x4); other kernels take eight
/// channels of one (input, tap), or two channels × four row streams. Each accumulator holds one (channel, tap) sum, or a
/// stream of it, in float lanes added into double every <see cref="ConvTwins.FlushTerms"/> terms per lane; masks drop the
/// lanes an overlapping last vector repeats and, for a one-colour conv, the other colour.
/// </summary>
internal readonly unsafe struct WeightGradKernel<TL, TV>(WeightGradPlan p) : IKernel where TL : struct, ILanes<TV> where TV : unmanaged
{
    private readonly WeightGradPlan _p = p;

    public void Execute(int item)
    {
        var p = _p;
        var g = p.G;
        int b0 = item * p.PerBlock, samples = Math.Min(p.PerBlock, p.Batch - b0);
        double* row = p.Partial + (long)item * p.Parameters;
        double* sums = stackalloc double[12 * 16];
        int gradFloats = g.Lx * g.Chunks * p.OutPadded * TL.Count, tileFloats = (samples * p.In * g.Plane + 15) & ~15;
        float* tiles = TwinBuffers.Tile(tileFloats + samples * gradFloats), grads = tiles + tileFloats;
        for (int b = 0; b < samples; b++) g.Pad(p.Input + (long)(b0 + b) * p.In * g.Volume, tiles + b * p.In * g.Plane, p.In, -1);
        Relayout(p.GradOut + (long)b0 * p.Out * g.Volume, grads, samples, row + (p.Parameters - p.Out));
        if (g.Chunks == 1 && samples * g.Lx <= ConvTwins.FlushTerms)
        {
            SumsInRegisters(tiles, grads, samples, row);
            return;
        }
        if (g.Kernel == 3)
        {
            // The three taps of a kernel row together: four channels at a time (Rows4x3), or one (Rows3x4, whose four row
            // streams per tap are summed in Rows2x4's order).
            bool eight = p.Block == 8;
            int group = eight ? 4 : 1;
            for (int o0 = 0; o0 < p.Out; o0 += group)
                for (int i = 0; i < p.In; i++)
                    for (int ky = 0; ky < 3; ky++)
                    {
                        ClearDoubles(sums, 12 * TL.Count);
                        Sum(tiles + i * g.Plane + ky * g.Pitch, grads + o0 * TL.Count, samples, sums, eight ? RowsKind.FourByThree : RowsKind.ThreeByFour);
                        for (int o = 0; o < Math.Min(group, p.Out - o0); o++)
                            for (int kx = 0; kx < 3; kx++)
                                row[((o0 + o) * p.In + i) * g.Taps + 3 * ky + kx] = eight ? Total(sums, 3 * o + kx, 1) : Total(sums, 4 * kx, 4);
                    }
            return;
        }
        for (int o0 = 0; o0 < p.Out; o0 += p.Block)
            for (int i = 0; i < p.In; i++)
                for (int t = 0; t < g.Taps; t++)
                {
                    ClearDoubles(sums, 8 * TL.Count);
                    float* tile = tiles + i * g.Plane + (t / g.Kernel) * g.Pitch + t % g.Kernel;
                    Sum(tile, grads + o0 * TL.Count, samples, sums, p.Block == 8 ? RowsKind.Eight : RowsKind.TwoByFour);
                    int outputs = Math.Min(p.Block, p.Out - o0);
                    for (int o = 0; o < outputs; o++)
                        row[((o0 + o) * p.In + i) * g.Taps + t] = p.Block == 8 ? Total(sums, o, 1) : Total(sums, 4 * o, 4);
                }
    }

    // g[b][o][x][y] → [b][x][j][o][lane] (channels past the last are zero), and the bias sums Σ g per channel in double,
    // without the lanes an overlapping last vector repeats. Channel by channel, the re-laid vectors OutPadded apart.
    private void Relayout(float* source, float* grads, int samples, double* biases)
    {
        var p = _p;
        var g = p.G;
        int n = TL.Count, stride = p.OutPadded * n, vectors = samples * g.Lx * g.Chunks;
        // Four rows of double sums, by x mod 4: one row would chain every addition through a store and a load of it.
        double* sums = stackalloc double[4 * 16];
        for (int o = 0; o < p.OutPadded; o++)
        {
            float* d = grads + o * n;
            if (o >= p.Out)
            {
                for (int k = 0; k < vectors; k++, d += stride) TL.Store(d, TL.Zero);
                continue;
            }
            ClearDoubles(sums, 4 * n);
            for (int b = 0; b < samples; b++)
            {
                float* row = source + ((long)b * p.Out + o) * g.Volume;
                for (int x = 0; x < g.Lx; x++, row += g.Ly)
                {
                    double* s = sums + (x & 3) * n;
                    for (int j = 0; j < g.Chunks; j++, d += stride)
                    {
                        TV live = TL.Load(p.Masks + (j * 3 + 2) * n);
                        // A narrow row's dead lanes would read the next row, or past the array's end: loaded as zeros.
                        TV v = g.Narrow ? TL.MaskLoad(row, live) : TL.Load(row + g.ChunkStart(j));
                        TL.Store(d, v);
                        TL.AccumulateDouble(s, TL.And(v, live));
                    }
                }
            }
            biases[o] = TL.SumDouble(sums) + TL.SumDouble(sums + n) + TL.SumDouble(sums + 2 * n) + TL.SumDouble(sums + 3 * n);
        }
    }

    // Rows of one vector (Ly ≤ 8 with 8 lanes, Ly = 16 with 16) whose block's sums need no flush before the end (blocks
    // of up to FlushTerms / Lx samples): the float accumulators go straight to their lane-order double sums, the values
    // Sum's one flush into zeroed doubles and SumDouble give (TL.SumWidened), without the round trip through memory and
    // the per-(input, tap) set-up, which cost as much as the FMAs at L = 8.
    private void SumsInRegisters(float* tiles, float* grads, int samples, double* row)
    {
        var p = _p;
        var g = p.G;
        int n = TL.Count, step = p.OutPadded * n, sampleStride = p.In * g.Plane;
        for (int o0 = 0; o0 < p.Out; o0 += p.Block)
        {
            int outputs = Math.Min(p.Block, p.Out - o0);
            for (int i = 0; i < p.In; i++)
                for (int t = 0; t < g.Taps; t++)
                {
                    float* tile = tiles + i * g.Plane + (t / g.Kernel) * g.Pitch + t % g.Kernel;
                    double* w = row + (o0 * p.In + i) * g.Taps + t;
                    long next = (long)p.In * g.Taps;
                    if (p.Block == 8 && g.Kernel == 3)
                    {
                        if (t % 3 != 0) continue;
                        var s = Rows4x3(default, tile, grads + o0 * n, samples, sampleStride, g.Lx, g.Pitch, step, p.Masks);
                        // Twelve accumulators hold four channels × three taps: a block of eight channels takes two calls.
                        StoreWidened(s, w, next, Math.Min(4, outputs), 3);
                        if (outputs > 4)
                            StoreWidened(Rows4x3(default, tile, grads + (o0 + 4) * n, samples, sampleStride, g.Lx, g.Pitch, step, p.Masks),
                                w + 4 * next, next, outputs - 4, 3);
                    }
                    else if (p.Block == 8)
                    {
                        StoreWidened(Rows8(default, tile, grads + o0 * n, samples, sampleStride, g.Lx, g.Pitch, step, p.Masks), w, next, outputs, 1);
                    }
                    else
                    {
                        var s = Rows2x4(default, tile, grads, samples, sampleStride, g.Lx, g.Pitch, step, p.Masks);
                        w[0] = 0 + TL.SumWidened(s.A0) + TL.SumWidened(s.A1) + TL.SumWidened(s.A2) + TL.SumWidened(s.A3);
                        if (outputs > 1) w[next] = 0 + TL.SumWidened(s.A4) + TL.SumWidened(s.A5) + TL.SumWidened(s.A6) + TL.SumWidened(s.A7);
                    }
                }
        }
    }

    // The float lanes take at most FlushTerms terms each before they are added into double: runs of samples between two
    // flushes are summed by a method that calls nothing (Rows8, Rows2x4, Rows4x3, Rows3x4), so that its accumulators and
    // masks stay in registers (every vector register is caller-saved: a call inside the loop, even one not taken, had the
    // JIT reload the masks from the stack on every row). sums[k·n + lane] takes accumulator k.
    private void Sum(float* tiles, float* grads, int samples, double* sums, RowsKind kind)
    {
        var p = _p;
        var g = p.G;
        int n = TL.Count, vectorsPerRow = g.Chunks * p.OutPadded * n, accumulators = kind is RowsKind.FourByThree or RowsKind.ThreeByFour ? 12 : 8;
        var acc = new Sums12<TV>();
        int terms = 0;
        for (int j = 0; j < g.Chunks; j++)
        {
            int y0 = g.ChunkStart(j);
            float* masks = p.Masks + j * 3 * n;
            for (int b = 0; b < samples;)
            {
                if (terms + g.Lx > ConvTwins.FlushTerms)
                {
                    Flush(sums, acc, accumulators);
                    acc = new Sums12<TV>();
                    terms = 0;
                }
                int run = Math.Min(samples - b, (ConvTwins.FlushTerms - terms) / g.Lx);
                float* ti = tiles + b * p.In * g.Plane + y0;
                float* gp = grads + (long)b * g.Lx * vectorsPerRow + j * p.OutPadded * n;
                int stride = p.In * g.Plane;
                acc = kind switch
                {
                    RowsKind.FourByThree => Rows4x3(acc, ti, gp, run, stride, g.Lx, g.Pitch, vectorsPerRow, masks),
                    RowsKind.ThreeByFour => Rows3x4(acc, ti, gp, run, stride, g.Lx, g.Pitch, vectorsPerRow, masks),
                    RowsKind.Eight => Rows8(acc, ti, gp, run, stride, g.Lx, g.Pitch, vectorsPerRow, masks),
                    _ => Rows2x4(acc, ti, gp, run, stride, g.Lx, g.Pitch, vectorsPerRow, masks),
                };
                terms += run * g.Lx;
                b += run;
            }
        }
        Flush(sums, acc, accumulators);
    }

    // Four output channels × the three taps of one kernel row (kx = 0, 1, 2) of one input, over the rows of `samples`
    // samples: per row three input loads (the taps one float apart) under the row's colour mask (masks: even rows', then
    // odd rows' n floats on), twelve FMAs on four gradients. Accumulator 3·o + kx takes the terms Rows8's accumulator o
    // takes for tap kx, in the same order, so the sums are the same to the bit; but each gradient vector, read from L2
    // (a block's re-laid gradients are 64 KB at L = 16 and 32), serves three taps instead of one.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Sums12<TV> Rows4x3(Sums12<TV> acc, float* ti, float* gp, int samples, int sampleStride, int lx, int pitch, int step, float* masks)
    {
        int n = TL.Count;
        TV a0 = acc.A0, a1 = acc.A1, a2 = acc.A2, a3 = acc.A3, a4 = acc.A4, a5 = acc.A5;
        TV a6 = acc.A6, a7 = acc.A7, a8 = acc.A8, a9 = acc.A9, a10 = acc.A10, a11 = acc.A11;
        for (int b = 0; b < samples; b++, ti += sampleStride)
        {
            float* t = ti;
            for (int x = 0; x < lx; x++)
            {
                TV m = TL.Load(masks + (x & 1) * n);
                TV u0 = TL.And(TL.Load(t), m), u1 = TL.And(TL.Load(t + 1), m), u2 = TL.And(TL.Load(t + 2), m);
                TV g = TL.Load(gp);
                a0 = TL.MultiplyAdd(g, u0, a0);
                a1 = TL.MultiplyAdd(g, u1, a1);
                a2 = TL.MultiplyAdd(g, u2, a2);
                g = TL.Load(gp + n);
                a3 = TL.MultiplyAdd(g, u0, a3);
                a4 = TL.MultiplyAdd(g, u1, a4);
                a5 = TL.MultiplyAdd(g, u2, a5);
                g = TL.Load(gp + 2 * n);
                a6 = TL.MultiplyAdd(g, u0, a6);
                a7 = TL.MultiplyAdd(g, u1, a7);
                a8 = TL.MultiplyAdd(g, u2, a8);
                g = TL.Load(gp + 3 * n);
                a9 = TL.MultiplyAdd(g, u0, a9);
                a10 = TL.MultiplyAdd(g, u1, a10);
                a11 = TL.MultiplyAdd(g, u2, a11);
                t += pitch;
                gp += step;
            }
        }
        return new Sums12<TV> { A0 = a0, A1 = a1, A2 = a2, A3 = a3, A4 = a4, A5 = a5, A6 = a6, A7 = a7, A8 = a8, A9 = a9, A10 = a10, A11 = a11 };
    }

    // One output channel × the three taps of one kernel row × four row streams (accumulator 4·kx + u, stream u = x mod 4;
    // two rows left when Lx ≡ 2 mod 4 go to streams 0 and 1): accumulator 4·kx + u takes the terms Rows2x4's accumulator u
    // of the channel takes for tap kx, in the same order. Per group of four rows: twelve input loads, four gradients,
    // twelve FMAs; each gradient vector serves three taps (a block's gradients are 32 KB at L = 32, past L1).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Sums12<TV> Rows3x4(Sums12<TV> acc, float* ti, float* gp, int samples, int sampleStride, int lx, int pitch, int step, float* masks)
    {
        int n = TL.Count, groups = lx / 4;
        float* odd = masks + n;
        TV a0 = acc.A0, a1 = acc.A1, a2 = acc.A2, a3 = acc.A3, a4 = acc.A4, a5 = acc.A5;
        TV a6 = acc.A6, a7 = acc.A7, a8 = acc.A8, a9 = acc.A9, a10 = acc.A10, a11 = acc.A11;
        for (int b = 0; b < samples; b++, ti += sampleStride)
        {
            float* t = ti;
            for (int x = 0; x < groups; x++)
            {
                Taps3(ref a0, ref a4, ref a8, TL.Load(gp), t, masks);
                Taps3(ref a1, ref a5, ref a9, TL.Load(gp + step), t + pitch, odd);
                Taps3(ref a2, ref a6, ref a10, TL.Load(gp + 2 * step), t + 2 * pitch, masks);
                Taps3(ref a3, ref a7, ref a11, TL.Load(gp + 3 * step), t + 3 * pitch, odd);
                t += 4 * pitch;
                gp += 4 * step;
            }
            if ((lx & 3) != 0)
            {
                Taps3(ref a0, ref a4, ref a8, TL.Load(gp), t, masks);
                Taps3(ref a1, ref a5, ref a9, TL.Load(gp + step), t + pitch, odd);
                gp += 2 * step;
            }
        }
        return new Sums12<TV> { A0 = a0, A1 = a1, A2 = a2, A3 = a3, A4 = a4, A5 = a5, A6 = a6, A7 = a7, A8 = a8, A9 = a9, A10 = a10, A11 = a11 };
    }

    // The three taps of one row: tap kx's term g · (input at t + kx under the row's colour mask).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Taps3(ref TV a0, ref TV a1, ref TV a2, TV g, float* t, float* mask)
    {
        a0 = TL.MultiplyAdd(g, TL.And(TL.Load(t), TL.Load(mask)), a0);
        a1 = TL.MultiplyAdd(g, TL.And(TL.Load(t + 1), TL.Load(mask)), a1);
        a2 = TL.MultiplyAdd(g, TL.And(TL.Load(t + 2), TL.Load(mask)), a2);
    }

    // One weight's sum from the flushed double lanes: accumulator `first`, or its `streams` row streams added in order.
    private static double Total(double* sums, int first, int streams)
    {
        double total = 0;
        for (int u = 0; u < streams; u++) total += TL.SumDouble(sums + (first + u) * TL.Count);
        return total;
    }

    private static void Flush(double* sums, in Sums12<TV> acc, int accumulators)
    {
        ReadOnlySpan<TV> a = [acc.A0, acc.A1, acc.A2, acc.A3, acc.A4, acc.A5, acc.A6, acc.A7, acc.A8, acc.A9, acc.A10, acc.A11];
        for (int k = 0; k < accumulators; k++) TL.AccumulateDouble(sums + k * TL.Count, a[k]);
    }

    // The sums of `outputs` channels × `taps` consecutive taps (accumulator taps·o + kx: Rows4x3 with 3, Rows8 with 1) into
    // the weights at w (channel o at w + o·next, tap kx at w + kx), summed straight from the float lanes (SumsInRegisters).
    private static void StoreWidened(in Sums12<TV> s, double* w, long next, int outputs, int taps)
    {
        ReadOnlySpan<TV> a = [s.A0, s.A1, s.A2, s.A3, s.A4, s.A5, s.A6, s.A7, s.A8, s.A9, s.A10, s.A11];
        for (int o = 0; o < outputs; o++)
            for (int kx = 0; kx < taps; kx++) w[o * next + kx] = TL.SumWidened(a[taps * o + kx]);
    }

    // Eight output channels of one (input, tap) over the rows of `samples` samples (tiles `sampleStride` floats apart,
    // gradients Lx·step): per row vector one input load, its mask, eight FMAs on the gradients at constant displacements.
    // Rows alternate colour, so two rows per step with the two colour masks hoisted.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Sums12<TV> Rows8(Sums12<TV> acc, float* ti, float* gp, int samples, int sampleStride, int lx, int pitch, int step, float* masks)
    {
        int n = TL.Count;
        TV even = TL.Load(masks), odd = TL.Load(masks + n);
        TV a0 = acc.A0, a1 = acc.A1, a2 = acc.A2, a3 = acc.A3, a4 = acc.A4, a5 = acc.A5, a6 = acc.A6, a7 = acc.A7;
        for (int b = 0; b < samples; b++, ti += sampleStride)
        {
            float* t = ti;
            for (int x = 0; x < lx; x += 2)
            {
                TV u = TL.And(TL.Load(t), even), w = TL.And(TL.Load(t + pitch), odd);
                a0 = TL.MultiplyAdd(TL.Load(gp), u, a0);
                a1 = TL.MultiplyAdd(TL.Load(gp + n), u, a1);
                a2 = TL.MultiplyAdd(TL.Load(gp + 2 * n), u, a2);
                a3 = TL.MultiplyAdd(TL.Load(gp + 3 * n), u, a3);
                a4 = TL.MultiplyAdd(TL.Load(gp + 4 * n), u, a4);
                a5 = TL.MultiplyAdd(TL.Load(gp + 5 * n), u, a5);
                a6 = TL.MultiplyAdd(TL.Load(gp + 6 * n), u, a6);
                a7 = TL.MultiplyAdd(TL.Load(gp + 7 * n), u, a7);
                float* gq = gp + step;
                a0 = TL.MultiplyAdd(TL.Load(gq), w, a0);
                a1 = TL.MultiplyAdd(TL.Load(gq + n), w, a1);
                a2 = TL.MultiplyAdd(TL.Load(gq + 2 * n), w, a2);
                a3 = TL.MultiplyAdd(TL.Load(gq + 3 * n), w, a3);
                a4 = TL.MultiplyAdd(TL.Load(gq + 4 * n), w, a4);
                a5 = TL.MultiplyAdd(TL.Load(gq + 5 * n), w, a5);
                a6 = TL.MultiplyAdd(TL.Load(gq + 6 * n), w, a6);
                a7 = TL.MultiplyAdd(TL.Load(gq + 7 * n), w, a7);
                t += 2 * pitch;
                gp += 2 * step;
            }
        }
        return new Sums12<TV> { A0 = a0, A1 = a1, A2 = a2, A3 = a3, A4 = a4, A5 = a5, A6 = a6, A7 = a7, A8 = acc.A8, A9 = acc.A9, A10 = acc.A10, A11 = acc.A11 };
    }

    // Channels 0 and 1 of one (input, tap) over the rows of `samples` samples, four rows (two of each colour) per step:
    // accumulator o·4 + u for channel o, stream u = x mod 4; two rows left (Lx ≡ 2 mod 4) go to streams 0 and 1. The
    // group loop has its own counter: with one x shared by the loop and the rows left, the JIT kept four accumulators in
    // memory, a store and a load per group in their chains (DOTNET_JitDisasm).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Sums12<TV> Rows2x4(Sums12<TV> acc, float* ti, float* gp, int samples, int sampleStride, int lx, int pitch, int step, float* masks)
    {
        int n = TL.Count;
        int groups = lx / 4;
        TV even = TL.Load(masks), odd = TL.Load(masks + n);
        TV a0 = acc.A0, a1 = acc.A1, a2 = acc.A2, a3 = acc.A3, a4 = acc.A4, a5 = acc.A5, a6 = acc.A6, a7 = acc.A7;
        for (int b = 0; b < samples; b++, ti += sampleStride)
        {
            float* t = ti;
            for (int x = 0; x < groups; x++)
            {
                TV u0 = TL.And(TL.Load(t), even), u1 = TL.And(TL.Load(t + pitch), odd);
                TV u2 = TL.And(TL.Load(t + 2 * pitch), even), u3 = TL.And(TL.Load(t + 3 * pitch), odd);
                a0 = TL.MultiplyAdd(TL.Load(gp), u0, a0);
                a4 = TL.MultiplyAdd(TL.Load(gp + n), u0, a4);
                a1 = TL.MultiplyAdd(TL.Load(gp + step), u1, a1);
                a5 = TL.MultiplyAdd(TL.Load(gp + step + n), u1, a5);
                a2 = TL.MultiplyAdd(TL.Load(gp + 2 * step), u2, a2);
                a6 = TL.MultiplyAdd(TL.Load(gp + 2 * step + n), u2, a6);
                a3 = TL.MultiplyAdd(TL.Load(gp + 3 * step), u3, a3);
                a7 = TL.MultiplyAdd(TL.Load(gp + 3 * step + n), u3, a7);
                t += 4 * pitch;
                gp += 4 * step;
            }
            if ((lx & 3) != 0)
            {
                TV u0 = TL.And(TL.Load(t), even), u1 = TL.And(TL.Load(t + pitch), odd);
                a0 = TL.MultiplyAdd(TL.Load(gp), u0, a0);
                a4 = TL.MultiplyAdd(TL.Load(gp + n), u0, a4);
                a1 = TL.MultiplyAdd(TL.Load(gp + step), u1, a1);
                a5 = TL.MultiplyAdd(TL.Load(gp + step + n), u1, a5);
                gp += 2 * step;
            }
        }
        return new Sums12<TV> { A0 = a0, A1 = a1, A2 = a2, A3 = a3, A4 = a4, A5 = a5, A6 = a6, A7 = a7, A8 = acc.A8, A9 = acc.A9, A10 = acc.A10, A11 = acc.A11 };
    }

    // Zeroes count doubles (a multiple of TL.Count) with stores as wide as AccumulateDouble's loads of them: a vector load
    // of data that narrower stores have just written waits for those stores to retire (no store forwarding).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ClearDoubles(double* d, int count)
    {
        for (int j = 0; j < count; j += TL.Count) TL.ZeroDoubles(d + j);
    }
}
