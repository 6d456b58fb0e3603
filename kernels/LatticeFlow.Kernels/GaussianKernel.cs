namespace LatticeFlow.Kernels;

/// <summary>
/// Independent standard normal numbers, one per site of each chain (Box–Muller on 53-bit uniforms),
/// keyed by (site, chain, step, stream): HMC momenta, and random starts.
/// </summary>
public readonly struct GaussianKernel<TV>(TV target, int volume, int width, RngKey key, uint step, uint stream, double scale) : IRebindableKernel
    where TV : struct, IView<double>
{
    private readonly TV _target = target;
    private readonly int _volume = volume, _width = width;
    private readonly RngKey _key = key;
    private readonly uint _step = step, _stream = stream;
    private readonly double _scale = scale;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new GaussianKernel<HostView<double>>(_target.Host, _volume, _width, _key, _step, _stream, _scale));

    public void Execute(int index)
    {
        int start = index * _width;
        int b = start / _volume;
        for (int i = start; i < start + _width; i++)
        {
            var w = Philox.Generate(_key, (uint)(i - b * _volume), (uint)b, _step, _stream);
            double u1 = Philox.Uniform53(w.X0, w.X1), u2 = Philox.Uniform53(w.X2, w.X3);
            _target[i] = _scale * ILGPU.Algorithms.XMath.Sqrt(-2.0 * ILGPU.Algorithms.XMath.Log(u1))
                * ILGPU.Algorithms.XMath.Cos(2.0 * System.Math.PI * u2);
        }
    }
}
