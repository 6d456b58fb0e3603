using ILGPU;

namespace LatticeFlow.Kernels;

/// <summary>
/// Independent standard normal numbers, one per site of each chain (Box–Muller on 53-bit uniforms),
/// keyed by (site, chain, step, stream): HMC momenta, and random starts.
/// </summary>
public readonly struct GaussianKernel(ArrayView<double> target, int volume, int width, RngKey key, uint step, uint stream, double scale) : IKernel
{
    private readonly ArrayView<double> _target = target;
    private readonly int _volume = volume, _width = width;
    private readonly RngKey _key = key;
    private readonly uint _step = step, _stream = stream;
    private readonly double _scale = scale;

    public void Execute(int index)
    {
        int start = index * _width;
        for (int i = start; i < start + _width; i++)
        {
            int b = i / _volume;
            var w = Philox.Generate(_key, (uint)(i - b * _volume), (uint)b, _step, _stream);
            double u1 = Philox.Uniform53(w.X0, w.X1), u2 = Philox.Uniform53(w.X2, w.X3);
            _target[i] = _scale * ILGPU.Algorithms.XMath.Sqrt(-2.0 * ILGPU.Algorithms.XMath.Log(u1))
                * ILGPU.Algorithms.XMath.Cos(2.0 * System.Math.PI * u2);
        }
    }
}
