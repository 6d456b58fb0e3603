namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// The global rescaling φ → e^{σa} φ on every site (σ = +1 forward, −1 inverse), a read from the parameter buffer at
/// <c>index</c> (anvil's GlobalRescaling, arXiv:2105.12481), and log|det| = V·a added to logDet[b] by the first item of
/// each sample. Items cover <c>width</c> sites; the sample of a site is its index over <c>volume</c>.
/// </summary>
public readonly struct GlobalScaleKernel<TF, TD>(TF parameters, int index, TF source, TF destination, int volume, int width, float sign, TD logDet)
    : IRebindableKernel where TF : struct, IView<float> where TD : struct, IView<double>
{
    private readonly TF _parameters = parameters, _source = source, _destination = destination;
    private readonly TD _logDet = logDet;
    private readonly int _index = index, _volume = volume, _width = width;
    private readonly float _sign = sign;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new GlobalScaleKernel<HostView<float>, HostView<double>>(_parameters.Host, _index, _source.Host, _destination.Host, _volume, _width, _sign, _logDet.Host));

    public void Execute(int item)
    {
        float a = _parameters[_index];
        float factor = ActivationCode.FastExp(_sign * a);
        int start = item * _width;
        for (int j = start; j < start + _width; j++) _destination[j] = factor * _source[j];
        if (start % _volume == 0) _logDet[start / _volume] += (double)_volume * a;
    }
}

/// <summary>
/// Backward of y = e^a x for one sample per item: g ← e^a g in place (∂L/∂x), and the sample's share of ∂L/∂a,
/// Σ_s g_s x_s e^a + V·∂L/∂(log det), into partial[b] (in double).
/// </summary>
public readonly struct GlobalScaleBackwardKernel<TF, TD>(TF parameters, int index, TF x, TF gradient, int volume, float logDetGrad, TD partial)
    : IRebindableKernel where TF : struct, IView<float> where TD : struct, IView<double>
{
    private readonly TF _parameters = parameters, _x = x, _gradient = gradient;
    private readonly TD _partial = partial;
    private readonly int _index = index, _volume = volume;
    private readonly float _logDetGrad = logDetGrad;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new GlobalScaleBackwardKernel<HostView<float>, HostView<double>>(_parameters.Host, _index, _x.Host, _gradient.Host, _volume, _logDetGrad, _partial.Host));

    public void Execute(int sample)
    {
        float e = ActivationCode.FastExp(_parameters[_index]);
        double sum = (double)_volume * _logDetGrad;
        int o = sample * _volume;
        for (int s = o; s < o + _volume; s++)
        {
            float g = _gradient[s];
            sum += (double)(g * _x[s] * e);
            _gradient[s] = g * e;
        }
        _partial[sample] = sum;
    }
}

/// <summary>gradient[index] += Σ_b partial[b] in sample order (one item): the samples' shares of ∂L/∂a.</summary>
public readonly struct GlobalScaleGradientKernel<TF, TD>(TD partial, int samples, TF gradients, int index) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    private readonly TD _partial = partial;
    private readonly TF _gradients = gradients;
    private readonly int _samples = samples, _index = index;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new GlobalScaleGradientKernel<HostView<float>, HostView<double>>(_partial.Host, _samples, _gradients.Host, _index));

    public void Execute(int item)
    {
        double sum = 0.0;
        for (int b = 0; b < _samples; b++) sum += _partial[b];
        _gradients[_index] += (float)sum;
    }
}
