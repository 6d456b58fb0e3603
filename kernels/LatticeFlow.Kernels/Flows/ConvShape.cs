namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// Shape of one periodic 2D convolution over a batch of lattices, activations stored [sample, channel, site]
/// (site = x·Ly + y). Work items cover <c>Width</c> consecutive sites of one sample: the managed launcher
/// gives a whole lattice to one call (Width = V), a GPU one site to one thread (Width = 1).
/// <c>Parity</c> ≥ 0 restricts the outputs to sites of that checkerboard colour (the coupling reads no others).
/// The parameter gradients sum over the batch in <c>Slices</c> slices of samples, summed afterwards: one slice on the
/// managed launcher, one per sample on a GPU, where one thread summing a whole batch is a long serial loop
/// (measured on an H200: ~0.75 ms per launch, 85 % of a training step).
/// <c>RowLength</c> is Ly (site = x·Ly + y), for the host SIMD twins that run along rows (0: not given; the bodies do not
/// need it, they read the neighbour table).
/// </summary>
public readonly struct ConvShape(int batch, int volume, int inChannels, int outChannels, int taps, int width, int parity, int slices = 1, int rowLength = 0)
{
    public readonly int Batch = batch, Volume = volume, InChannels = inChannels, OutChannels = outChannels, Taps = taps, Width = width, Parity = parity;
    public readonly int Slices = slices, RowLength = rowLength;

    /// <summary>Work items when every site of every sample is visited.</summary>
    public int Items => Batch * (Volume / Width);

    /// <summary>Work items of the parameter-gradient kernel: per slice, groups of four output channels × inputs × taps, then the biases.</summary>
    public int WeightGradItems => ((OutChannels + 3) / 4 * InChannels * Taps + OutChannels) * Slices;

    /// <summary>Parameters of the convolution: weights, then biases (the layout of one slice's partial sums).</summary>
    public int Parameters => OutChannels * InChannels * Taps + OutChannels;

    public void Locate(int item, out int sample, out int s0)
    {
        int perSample = Volume / Width;
        sample = item / perSample;
        s0 = (item - sample * perSample) * Width;
    }

    /// <summary>Channel c of a group of four, or the last channel where the group runs past <paramref name="count"/>.</summary>
    public static int Clamp(int c, int count) => c < count ? c : count - 1;
}

/// <summary>Element-wise activations of the conv nets; integer codes so kernels can switch on them.</summary>
public static class ActivationCode
{
    public const int Identity = 0;
    public const int LeakyRelu = 1;
    public const int Tanh = 2;

    /// <summary>PyTorch's default negative slope, as in the tutorial arXiv:2101.08176.</summary>
    public const float LeakySlope = 0.01f;

    public static float Apply(int code, float v)
    {
        if (code == LeakyRelu) return v > 0f ? v : LeakySlope * v;
        if (code == Tanh) return FastTanh(v);
        return v;
    }

    /// <summary>d act / d pre-activation, written through the output y = act(v) (LeakyReLU: sign of y; tanh: 1 − y²).</summary>
    public static float Derivative(int code, float y)
    {
        if (code == LeakyRelu) return y > 0f ? 1f : LeakySlope;
        if (code == Tanh) return 1f - y * y;
        return 1f;
    }

    /// <summary>
    /// tanh through one double exp: tanh v = 1 − 2 / (e^{2v} + 1). On the CPU, XMath.Tanh(float) costs ~37 ns and
    /// Math.Exp(double) a few; accurate to double rounding before the cast, and saturates cleanly (e^{2v} = ∞ → 1).
    /// </summary>
    public static float FastTanh(float v)
    {
        double e = ILGPU.Algorithms.XMath.Exp(2.0 * v);
        return (float)(1.0 - 2.0 / (e + 1.0));
    }

    /// <summary>e^v through the double exp (see <see cref="FastTanh"/> for why).</summary>
    public static float FastExp(float v) => (float)ILGPU.Algorithms.XMath.Exp((double)v);
}
