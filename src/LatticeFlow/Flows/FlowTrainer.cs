using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Flows;

/// <summary>Figures of one training step.</summary>
public readonly record struct TrainStepMetrics(long Step, double Loss, double Ess, double Acceptance, double GradientNorm, double LearningRate)
{
    public bool Finite => double.IsFinite(Loss) && double.IsFinite(GradientNorm);
}

/// <summary>
/// Reverse-KL training of a flow against p ∝ e^{−S} (Albergo et al. 2019, eq. 16; tutorial arXiv:2101.08176):
/// L = (1/B) Σ_b [log q(f(z_b)) + S(f(z_b))], z_b ~ r, which is KL(q‖p) − log Z and needs no samples of p.
/// ∂L/∂θ flows back from ∂S/∂φ / B (the force) and from ∂L/∂(log det) = −1/B per sample. All buffers are
/// allocated here; a step allocates nothing.
/// </summary>
public sealed class FlowTrainer : IDisposable
{
    private readonly FieldBatch _fields;
    private readonly IAction _action;
    private readonly MemoryBuffer1D<double, ILGPU.Stride1D.Dense> _force;
    private readonly double[] _logQ, _s, _logW;
    private readonly RngKey _key;

    public RealNvpFlow Flow { get; }
    public Adam Optimizer { get; }
    public int Batch { get; }
    public double ClipNorm { get; }

    /// <param name="clipNorm">Gradient-norm clipping threshold; 0 or less: none.</param>
    public FlowTrainer(RealNvpFlow flow, IActionParameters action, int batch, AdamSettings adam, ulong seed, double clipNorm = 0)
    {
        if (batch < 2) throw new InvalidSettingException(SettingNames.Batch, batch, "need at least 2 samples");
        Flow = flow;
        Batch = batch;
        ClipNorm = clipNorm;
        _key = new RngKey(seed);
        var geometry = new LatticeGeometry(flow.Architecture.Lx, flow.Architecture.Ly);
        _fields = new FieldBatch(flow.Device, geometry, batch);
        _action = action.Create(flow.Device, geometry, batch);
        _force = flow.Device.Allocate<double>((long)batch * geometry.Volume);
        flow.EnsureCapacity(batch);
        Optimizer = new Adam(flow.Parameters, adam);
        _logQ = new double[batch];
        _s = new double[batch];
        _logW = new double[batch];
    }

    /// <summary>
    /// Loss and its gradient for the batch of step <paramref name="step"/> (z keyed by it), without updating.
    /// Parameter gradients are zeroed first. The gradient is skipped when the loss is not finite.
    /// </summary>
    public TrainStepMetrics Evaluate(long step, bool withGradient = true)
    {
        var device = Flow.Device;
        int v = Flow.Volume, width = device.ItemWidth(v);
        long n = (long)Batch * v;
        Flow.SampleLatent(Batch, _key, (uint)step);
        device.Launch((int)(n / width), n, new FloatToDoubleKernel<Floats, Reals>(Flow.Output, _fields.View, width));
        _action.Action(_fields, _s);
        Flow.ReadLogQ(Batch, _logQ);
        double loss = 0;
        for (int b = 0; b < Batch; b++)
        {
            loss += _logQ[b] + _s[b];
            _logW[b] = -_s[b] - _logQ[b];
        }
        loss /= Batch;
        double ess = ImportanceWeights.EssPerSample(_logW);
        double current = double.NegativeInfinity;
        double acceptance = ImportanceWeights.AcceptedInChain(_logW, ref current, _key, (uint)step) / (double)(Batch - 1);
        double norm = 0;
        if (withGradient && double.IsFinite(loss))
        {
            _action.Force(_fields, _force.View);
            device.Launch((int)(n / width), n, new DoubleToFloatKernel<Floats, Reals>(_force.View, Flow.Gradient, 1.0 / Batch, width));
            Flow.Parameters.ZeroGradients();
            Flow.Backward(Batch, -1f / Batch);
            norm = Optimizer.GradientNorm();
        }
        return new TrainStepMetrics(step, loss, ess, acceptance, norm, 0);
    }

    /// <summary>One Adam step at learning rate <paramref name="lr"/>; no update when the loss or gradient is not finite.</summary>
    public TrainStepMetrics Step(long step, double lr)
    {
        var m = Evaluate(step) with { LearningRate = lr };
        if (!m.Finite) return m;
        double scale = ClipNorm > 0 && m.GradientNorm > ClipNorm ? ClipNorm / m.GradientNorm : 1.0;
        Optimizer.Update(lr, scale);
        return m;
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        _fields.Dispose();
        _action.Dispose();
        _force.Dispose();
    }
}
