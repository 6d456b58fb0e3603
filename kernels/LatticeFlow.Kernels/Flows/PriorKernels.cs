namespace LatticeFlow.Kernels.Flows;

/// <summary>
/// z ~ N(0, 1) independently on every site of every sample (Box–Muller on 53-bit uniforms, the cosine half), keyed by
/// (site, sample, step, stream) so a batch is the same on every backend and thread count (DESIGN.md, principle 3); the
/// log and cosine are <see cref="PortableMath"/>'s, which the host SIMD twin repeats in lanes.
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
            z[i] = Normal(key, i - b * volume, b, step, stream);
        }
    }

    /// <summary>The prior's number at <paramref name="site"/> of sample <paramref name="sample"/>: √(−2 ln u₁)·cos 2πu₂, rounded to float.</summary>
    public static float Normal(RngKey key, int site, int sample, uint step, uint stream)
    {
        var w = Philox.Generate(key, (uint)site, (uint)sample, step, stream);
        PortableMath.SinCosTwoPi(Philox.Uniform53(w.X2, w.X3), out _, out double cos);
        return (float)(ILGPU.Algorithms.XMath.Sqrt(-2.0 * PortableMath.Log(Philox.Uniform53(w.X0, w.X1))) * cos);
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
