namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// z ~ N(0, 1) independently on every site of every sample (Box–Muller on 53-bit uniforms), keyed by
/// (site, sample, step, stream) so a batch is the same on every backend and thread count (DESIGN.md, principle 3).
/// </summary>
public readonly partial struct PriorSampleKernel<TF>(TF z, int volume, int width, RngKey key, uint step, uint stream) : IRebindableKernel
    where TF : struct, IView<float>
{
    public void Execute(int index)
    {
        int start = index * width;
        for (int i = start; i < start + width; i++)
        {
            int b = i / volume;
            var w = Philox.Generate(key, (uint)(i - b * volume), (uint)b, step, stream);
            double u1 = Philox.Uniform53(w.X0, w.X1), u2 = Philox.Uniform53(w.X2, w.X3);
            z[i] = (float)(ILGPU.Algorithms.XMath.Sqrt(-2.0 * ILGPU.Algorithms.XMath.Log(u1)) * ILGPU.Algorithms.XMath.Cos(2.0 * System.Math.PI * u2));
        }
    }
}

/// <summary>log r(z) = −½ Σ_s z_s² − (V/2) ln 2π per sample, in double. One item per sample.</summary>
public readonly partial struct PriorLogDensityKernel<TF, TD>(TF z, int volume, TD logDensity) : IRebindableKernel
    where TF : struct, IView<float> where TD : struct, IView<double>
{
    public void Execute(int index)
    {
        double sum = 0.0;
        int o = index * volume;
        for (int s = 0; s < volume; s++)
        {
            double v = z[o + s];
            sum += v * v;
        }
        logDensity[index] = -0.5 * sum - 0.5 * volume * 1.8378770664093454836;
    }
}
