using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;
using LatticeFlow.Lattice;

namespace LatticeFlow.Flows;

/// <summary>
/// Real NVP flow φ = f(z) on the lattice (Albergo et al. 2019, Sec. III; arXiv:1605.08803): a Gaussian prior,
/// <see cref="FlowArchitecture.Layers"/> checkerboard couplings of alternating colour (layer l transforms colour l mod 2)
/// and, where the architecture has them, a spectrum scaling before them and a global rescaling after them (<see cref="IFlowLayer"/>).
/// log q(φ) = log r(z) − Σ_l log|det J_l| (Albergo et al. eq. 12), network in float32, log-densities in double.
/// </summary>
/// <example><code>
/// using var flow = RealNvpFlow.Load("runs/flow-L8/model.lfm", device);
/// flow.Sample(64, new RngKey(1), step: 0, fields, logQ);   // proposals and their log q
/// flow.LogDensity(fields, logQ);                          // log q of any configurations
/// </code></example>
public sealed class RealNvpFlow : IDisposable
{
    private readonly FlowLattice _lattice;
    private readonly IFlowLayer[] _layers;
    private readonly CouplingLayer[] _couplings;
    private readonly GaussianPrior _prior;
    private MemoryBuffer1D<float, Stride1D.Dense>[] _states = [];
    private MemoryBuffer1D<double, Stride1D.Dense>? _logR, _logDet;
    private MemoryBuffer1D<float, Stride1D.Dense>? _gradient;
    private double[] _hostLogR = [], _hostLogDet = [];

    public FlowArchitecture Architecture { get; }
    public ComputeDevice Device { get; }
    public ParameterStore Parameters { get; }
    public int Capacity { get; private set; }
    public int Volume => Architecture.Volume;
    /// <summary>Every layer, z to φ: the spectrum scaling, the couplings, then the global rescaling, where the architecture has them.</summary>
    public IReadOnlyList<IFlowLayer> Layers => _layers;
    public IReadOnlyList<CouplingLayer> Couplings => _couplings;

    public RealNvpFlow(FlowArchitecture architecture, ComputeDevice device)
    {
        Architecture = architecture.Validated();
        Device = device;
        _lattice = new FlowLattice(device, new LatticeGeometry(architecture.Lx, architecture.Ly), architecture.Kernel);
        Parameters = new ParameterStore(device, architecture.ParameterCount);
        _couplings = new CouplingLayer[architecture.Layers];
        for (int l = 0; l < _couplings.Length; l++) _couplings[l] = new CouplingLayer(Parameters, _lattice, l % 2, architecture);
        // Parameters in the order of construction (the model file's): the couplings', the global rescaling's, the spectrum's.
        IFlowLayer[] global = architecture.GlobalScale ? [new GlobalScaleLayer(Parameters, Volume)] : [];
        IFlowLayer[] spectrum = architecture.SpectrumScaling ? [new SpectrumScalingLayer(Parameters, architecture.Lx, architecture.Ly)] : [];
        _layers = [.. spectrum, .. _couplings, .. global];
        _prior = new GaussianPrior(device, Volume);
    }

    /// <summary>Reads a model file (<see cref="ModelFile"/>), validating it, and builds the flow on <paramref name="device"/>.</summary>
    public static RealNvpFlow Load(string path, ComputeDevice device) => ModelFile.Read(path).ToFlow(device);

    /// <summary>
    /// PyTorch's default Conv2d initialisation, as in the tutorial: weights and biases uniform in ±1/√fan_in
    /// (kaiming_uniform with a = √5), fan_in = in-channels × taps; numbers from Philox (FlowInit stream), keyed by parameter index.
    /// The global rescaling and the spectrum scaling start at the identity (parameters 0).
    /// </summary>
    public void InitializeWeights(ulong seed)
    {
        var values = new float[Parameters.Count];
        var key = new RngKey(seed);
        foreach (var layer in _couplings)
            foreach (var conv in layer.Net.Layers)
            {
                float bound = 1f / MathF.Sqrt(conv.In * _lattice.Taps);
                for (int j = 0; j < conv.WeightCount; j++) values[conv.WeightOffset + j] = Uniform(key, conv.WeightOffset + j, bound);
                for (int j = 0; j < conv.Out; j++) values[conv.BiasOffset + j] = Uniform(key, conv.BiasOffset + j, bound);
            }
        Parameters.SetValues(values);
    }

    private static float Uniform(RngKey key, int index, float bound)
    {
        var w = Philox.Generate(key, (uint)index, 0, 0, RngStream.FlowInit);
        return (float)((2.0 * Philox.Uniform53(w.X0, w.X1) - 1.0) * bound);
    }

    /// <summary>Makes room for batches of up to <paramref name="batch"/> samples (allocations happen here, never in the hot loop).</summary>
    public void EnsureCapacity(int batch)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch));
        foreach (var l in _layers) l.EnsureCapacity(batch);
        if (batch <= Capacity) return;
        foreach (var s in _states) s.Dispose();
        _logR?.Dispose();
        _logDet?.Dispose();
        _gradient?.Dispose();
        _states = new MemoryBuffer1D<float, Stride1D.Dense>[_layers.Length + 1];
        for (int l = 0; l <= _layers.Length; l++) _states[l] = Device.Allocate<float>((long)batch * Volume);
        _logR = Device.Allocate<double>(batch);
        _logDet = Device.Allocate<double>(batch);
        _gradient = Device.Allocate<float>((long)batch * Volume);
        _hostLogR = new double[batch];
        _hostLogDet = new double[batch];
        Capacity = batch;
    }

    /// <summary>z of the last Forward or Inverse, [batch, V].</summary>
    public ArrayView<float> Latent => _states[0].View;

    /// <summary>φ of the last Forward or Inverse, [batch, V].</summary>
    public ArrayView<float> Output => _states[^1].View;

    /// <summary>Σ_l log|det J_l| per sample of the last Forward or Inverse.</summary>
    public ArrayView<double> LogDet => _logDet!.View;

    /// <summary>log r(z) per sample of the last Forward or Inverse.</summary>
    public ArrayView<double> LogPrior => _logR!.View;

    /// <summary>Where the caller writes ∂L/∂φ before <see cref="Backward"/>; it holds ∂L/∂z afterwards.</summary>
    public ArrayView<float> Gradient => _gradient!.View;

    /// <summary>Draws z ~ r into <see cref="Latent"/> and runs <see cref="Forward(int)"/>.</summary>
    public void SampleLatent(int batch, RngKey key, uint step)
    {
        EnsureCapacity(batch);
        _prior.Sample(batch, key, step, _states[0].View, _logR!.View);
        Forward(batch);
    }

    /// <summary>φ = f(z) from <see cref="Latent"/> to <see cref="Output"/>, with <see cref="LogPrior"/> and <see cref="LogDet"/>.</summary>
    public void Forward(int batch)
    {
        EnsureCapacity(batch);
        _prior.LogDensity(batch, _states[0].View, _logR!.View);
        _logDet!.MemSetToZero();
        for (int l = 0; l < _layers.Length; l++) _layers[l].Forward(batch, _states[l].View, _states[l + 1].View, LogDet);
    }

    /// <summary>z = f⁻¹(φ) from <see cref="Output"/> to <see cref="Latent"/>, with <see cref="LogPrior"/> of z and the forward <see cref="LogDet"/>.</summary>
    public void Inverse(int batch)
    {
        EnsureCapacity(batch);
        _logDet!.MemSetToZero();
        for (int l = _layers.Length - 1; l >= 0; l--) _layers[l].Inverse(batch, _states[l + 1].View, _states[l].View, LogDet);
        _prior.LogDensity(batch, _states[0].View, _logR!.View);
    }

    /// <summary>
    /// Back-propagates ∂L/∂φ in <see cref="Gradient"/> through the last Forward, with ∂L/∂(Σ log det) =
    /// <paramref name="logDetGrad"/> per sample, accumulating parameter gradients (zero them first).
    /// </summary>
    public void Backward(int batch, float logDetGrad)
    {
        for (int l = _layers.Length - 1; l >= 0; l--) _layers[l].Backward(batch, _states[l].View, _gradient!.View, logDetGrad);
    }

    /// <summary>
    /// Proposals: <paramref name="batch"/> configurations φ = f(z), z ~ r keyed by (<paramref name="key"/>, <paramref name="step"/>),
    /// written to <paramref name="output"/> (float64) with log q(φ) in double.
    /// </summary>
    public void Sample(int batch, RngKey key, uint step, FieldBatch output, Span<double> logQ)
    {
        CheckBatch(output, batch);
        SampleLatent(batch, key, step);
        int width = Device.ItemWidth(Volume);
        long n = (long)batch * Volume;
        Device.Launch((int)(n / width), n, new FloatToDoubleKernel<Floats, Reals>(Output, output.View, width));
        ReadLogQ(batch, logQ);
    }

    /// <summary>
    /// log q(s·φ) of the first <paramref name="logQ"/>.Length configurations φ of <paramref name="fields"/>, through the
    /// inverse; <paramref name="sign"/> = −1 gives the density of the mirror images (Z2-symmetrised proposals).
    /// </summary>
    public void LogDensity(FieldBatch fields, Span<double> logQ, double sign = 1.0)
    {
        int batch = logQ.Length;
        CheckBatch(fields, batch);
        EnsureCapacity(batch);
        int width = Device.ItemWidth(Volume);
        long n = (long)batch * Volume;
        Device.Launch((int)(n / width), n, new DoubleToFloatKernel<Floats, Reals>(fields.View, Output, sign, width));
        Inverse(batch);
        ReadLogQ(batch, logQ);
    }

    /// <summary>
    /// Turns log q(φ) of the first <paramref name="logQ"/>.Length configurations into the Z2-symmetrised
    /// log q_sym(φ) = log ½[q(φ) + q(−φ)], the density of ±f(z) with a random sign (one inverse pass of the mirror
    /// images, into <paramref name="mirror"/>). q_sym is even in φ, so it is also the density of −φ.
    /// </summary>
    public void Symmetrize(FieldBatch fields, Span<double> logQ, Span<double> mirror)
    {
        LogDensity(fields, mirror[..logQ.Length], sign: -1.0);
        for (int b = 0; b < logQ.Length; b++)
        {
            // A NaN from the mirror's inverse pass (overflow far outside the flow's support) counts as q(−φ) = 0,
            // its likely value, rather than rejecting a proposal whose own log q is fine.
            if (double.IsNaN(mirror[b])) mirror[b] = double.NegativeInfinity;
            double m = Math.Max(logQ[b], mirror[b]);
            // An infinite or NaN log q stays so: such a proposal is rejected.
            if (double.IsFinite(m)) logQ[b] = m + Math.Log(0.5 * (Math.Exp(logQ[b] - m) + Math.Exp(mirror[b] - m)));
            else logQ[b] = m;
        }
    }

    /// <summary>log q = log r(z) − Σ log det of the last Forward or Inverse, copied to the host.</summary>
    public void ReadLogQ(int batch, Span<double> logQ)
    {
        Device.CopyToHost(LogPrior.SubView(0, batch), _hostLogR.AsSpan(0, batch));
        Device.CopyToHost(LogDet.SubView(0, batch), _hostLogDet.AsSpan(0, batch));
        for (int b = 0; b < batch; b++) logQ[b] = _hostLogR[b] - _hostLogDet[b];
    }

    /// <summary>Host round trip for tests and tools: φ = f(z) for [batch, V] floats, with log q per sample.</summary>
    public void Forward(ReadOnlySpan<float> z, Span<float> phi, Span<double> logQ)
    {
        int batch = logQ.Length;
        EnsureCapacity(batch);
        Device.CopyFromHost(z[..(batch * Volume)], Latent.SubView(0, (long)batch * Volume));
        Forward(batch);
        Device.CopyToHost(Output.SubView(0, (long)batch * Volume), phi[..(batch * Volume)]);
        ReadLogQ(batch, logQ);
    }

    /// <summary>Host round trip: z = f⁻¹(φ) with log q(φ) per sample.</summary>
    public void Inverse(ReadOnlySpan<float> phi, Span<float> z, Span<double> logQ)
    {
        int batch = logQ.Length;
        EnsureCapacity(batch);
        Device.CopyFromHost(phi[..(batch * Volume)], Output.SubView(0, (long)batch * Volume));
        Inverse(batch);
        Device.CopyToHost(Latent.SubView(0, (long)batch * Volume), z[..(batch * Volume)]);
        ReadLogQ(batch, logQ);
    }

    private void CheckBatch(FieldBatch fields, int batch)
    {
        if (fields.Geometry.Lx != Architecture.Lx || fields.Geometry.Ly != Architecture.Ly)
            throw new InvalidInputException($"lattice {fields.Geometry} does not match the flow's {Architecture.Lx}x{Architecture.Ly}");
        if (batch > fields.Chains) throw new ArgumentException($"batch {batch} exceeds the {fields.Chains} configurations of the field batch");
    }

    public void Dispose()
    {
        foreach (var l in _layers) l.Dispose();
        foreach (var s in _states) s.Dispose();
        _logR?.Dispose();
        _logDet?.Dispose();
        _gradient?.Dispose();
        Parameters.Dispose();
        _lattice.Dispose();
    }
}
