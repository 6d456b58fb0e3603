namespace LatticeFlow.Kernels.Flows;

/// <summary>dst[j] = (double) src[j]: the flow's float32 fields to the engine's float64 lattices.</summary>
public readonly struct FloatToDoubleKernel<TF, TD>(TF source, TD destination, int width) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    private readonly TF _source = source;
    private readonly TD _destination = destination;
    private readonly int _width = width;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new FloatToDoubleKernel<HostView<float>, HostView<double>>(_source.Host, _destination.Host, _width));

    public void Execute(int index)
    {
        int start = index * _width;
        for (int j = start; j < start + _width; j++) _destination[j] = _source[j];
    }
}

/// <summary>dst[j] = (float)(scale · src[j]): fields into the flow, and the force, scaled by 1/B, as the loss gradient.</summary>
public readonly struct DoubleToFloatKernel<TF, TD>(TD source, TF destination, double scale, int width) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    private readonly TD _source = source;
    private readonly TF _destination = destination;
    private readonly double _scale = scale;
    private readonly int _width = width;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new DoubleToFloatKernel<HostView<float>, HostView<double>>(_source.Host, _destination.Host, _scale, _width));

    public void Execute(int index)
    {
        int start = index * _width;
        for (int j = start; j < start + _width; j++) _destination[j] = (float)(_scale * _source[j]);
    }
}

/// <summary>partial[j] = Σ v² over elements [j·width, (j+1)·width) ∩ [0, n), in double: the gradient norm for clipping.</summary>
public readonly struct SquaredNormKernel<TF, TD>(TF values, int count, int width, TD partial) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    private readonly TF _values = values;
    private readonly int _count = count, _width = width;
    private readonly TD _partial = partial;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new SquaredNormKernel<HostView<float>, HostView<double>>(_values.Host, _count, _width, _partial.Host));

    public void Execute(int index)
    {
        double sum = 0.0;
        int end = (index + 1) * _width;
        if (end > _count) end = _count;
        for (int j = index * _width; j < end; j++)
        {
            double v = _values[j];
            sum += v * v;
        }
        _partial[index] = sum;
    }
}

/// <summary>
/// One Adam step (Kingma and Ba, arXiv:1412.6980, Algorithm 1) on a flat parameter buffer, the gradient first
/// multiplied by <c>gradScale</c> (gradient-norm clipping): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// θ ← θ − lr · (m / c₁) / (√(v / c₂) + ε) with the bias corrections c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ (as in PyTorch).
/// </summary>
public readonly struct AdamKernel<TF>(TF parameters, TF gradients, TF m, TF v,
    int count, int width, float lr, float beta1, float beta2, float eps, float correction1, float correction2, float gradScale) : IRebindableKernel
    where TF : struct, IView<float>
{
    private readonly TF _parameters = parameters, _gradients = gradients, _m = m, _v = v;
    private readonly int _count = count, _width = width;
    private readonly float _lr = lr, _beta1 = beta1, _beta2 = beta2, _eps = eps, _correction1 = correction1, _correction2 = correction2, _gradScale = gradScale;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new AdamKernel<HostView<float>>(_parameters.Host, _gradients.Host, _m.Host, _v.Host, _count, _width, _lr, _beta1, _beta2, _eps, _correction1, _correction2, _gradScale));

    public void Execute(int index)
    {
        int end = (index + 1) * _width;
        if (end > _count) end = _count;
        for (int j = index * _width; j < end; j++)
        {
            float g = _gradients[j] * _gradScale;
            float mj = _beta1 * _m[j] + (1f - _beta1) * g;
            float vj = _beta2 * _v[j] + (1f - _beta2) * g * g;
            _m[j] = mj;
            _v[j] = vj;
            _parameters[j] -= _lr * (mj / _correction1) / (ILGPU.Algorithms.XMath.Sqrt(vj / _correction2) + _eps);
        }
    }
}
