using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Flows;

/// <summary>
/// Adam on a <see cref="ParameterStore"/>'s flat buffer: one launch per step (<see cref="AdamKernel"/>), with
/// optional gradient-norm clipping (the whole gradient scaled to norm ≤ c, as torch.nn.utils.clip_grad_norm_).
/// </summary>
public sealed class Adam : IDisposable
{
    private readonly int _chunk;
    private readonly ParameterStore _store;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _m, _v;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partial;
    private readonly double[] _hostPartial;

    public AdamSettings Settings { get; }

    /// <summary>Steps taken (t of the bias corrections).</summary>
    public long Step { get; private set; }

    public Adam(ParameterStore store, AdamSettings settings)
    {
        _store = store;
        Settings = settings.Validated();
        _m = Device.Allocate<float>(store.Count);
        _v = Device.Allocate<float>(store.Count);
        // Chunks of the norm and Adam kernels: a few long ones for the managed launcher's threads, many short ones on a GPU.
        _chunk = store.Device.ThreadPerItem ? 64 : 4096;
        int chunks = (store.Count + _chunk - 1) / _chunk;
        _partial = Device.Allocate<double>(chunks);
        _hostPartial = new double[chunks];
    }

    private ComputeDevice Device => _store.Device;

    /// <summary>‖∇‖₂ of the accumulated gradients.</summary>
    public double GradientNorm()
    {
        int chunks = _hostPartial.Length;
        Device.Launch(chunks, _store.Count, new SquaredNormKernel<Floats, Reals>(_store.Gradients, _store.Count, _chunk, _partial.View));
        Device.CopyToHost(_partial.View, _hostPartial);
        double sum = 0;
        foreach (double p in _hostPartial) sum += p;
        return Math.Sqrt(sum);
    }

    /// <summary>One update with learning rate <paramref name="lr"/>; the gradient is first multiplied by <paramref name="gradScale"/>.</summary>
    public void Update(double lr, double gradScale = 1.0)
    {
        Step++;
        var s = Settings;
        float c1 = (float)(1 - Math.Pow(s.Beta1, Step)), c2 = (float)(1 - Math.Pow(s.Beta2, Step));
        int chunks = _hostPartial.Length;
        Device.Launch(chunks, _store.Count, new AdamKernel<Floats>(_store.Values, _store.Gradients, _m.View, _v.View, _store.Count, _chunk,
            (float)lr, (float)s.Beta1, (float)s.Beta2, (float)s.Epsilon, c1, c2, (float)gradScale));
    }

    public (float[] M, float[] V) GetMoments()
    {
        var m = new float[_store.Count];
        var v = new float[_store.Count];
        Device.CopyToHost(_m.View, m);
        Device.CopyToHost(_v.View, v);
        return (m, v);
    }

    /// <summary>Restores a checkpoint's state.</summary>
    public void SetState(float[] m, float[] v, long step)
    {
        Device.CopyFromHost(m, _m.View);
        Device.CopyFromHost(v, _v.View);
        Step = step;
    }

    public void Dispose()
    {
        _m.Dispose();
        _v.Dispose();
        _partial.Dispose();
    }
}
