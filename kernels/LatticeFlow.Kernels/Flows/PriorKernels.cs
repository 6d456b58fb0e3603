namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// z ~ N(0, 1) independently on every site of every sample (Box–Muller on 53-bit uniforms), keyed by
/// (site, sample, step, stream) so a batch is the same on every backend and thread count (DESIGN.md, principle 3).
/// </summary>
public readonly struct PriorSampleKernel<TF>(TF z, int volume, int width, RngKey key, uint step, uint stream) : IRebindableKernel
    where TF : struct, IView<float>
{
    private readonly TF _z = z;
    private readonly int _volume = volume, _width = width;
    private readonly RngKey _key = key;
    private readonly uint _step = step, _stream = stream;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new PriorSampleKernel<HostView<float>>(_z.Host, _volume, _width, _key, _step, _stream));

    public void Execute(int index)
    {
        int start = index * _width;
        for (int i = start; i < start + _width; i++)
        {
            int b = i / _volume;
            var w = Philox.Generate(_key, (uint)(i - b * _volume), (uint)b, _step, _stream);
            double u1 = Philox.Uniform53(w.X0, w.X1), u2 = Philox.Uniform53(w.X2, w.X3);
            _z[i] = (float)(ILGPU.Algorithms.XMath.Sqrt(-2.0 * ILGPU.Algorithms.XMath.Log(u1)) * ILGPU.Algorithms.XMath.Cos(2.0 * System.Math.PI * u2));
        }
    }
}

/// <summary>log r(z) = −½ Σ_s z_s² − (V/2) ln 2π per sample, in double. One item per sample.</summary>
public readonly struct PriorLogDensityKernel<TF, TD>(TF z, int volume, TD logDensity) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    private readonly TF _z = z;
    private readonly int _volume = volume;
    private readonly TD _logDensity = logDensity;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new PriorLogDensityKernel<HostView<float>, HostView<double>>(_z.Host, _volume, _logDensity.Host));

    public void Execute(int index)
    {
        double sum = 0.0;
        int o = index * _volume;
        for (int s = 0; s < _volume; s++)
        {
            double v = _z[o + s];
            sum += v * v;
        }
        _logDensity[index] = -0.5 * sum - 0.5 * _volume * 1.8378770664093454836;
    }
}
