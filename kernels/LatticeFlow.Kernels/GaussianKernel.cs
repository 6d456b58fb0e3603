namespace LatticeFlow.Kernels;

/// <summary>
/// Independent standard normal numbers, one per site of each chain, keyed by (site pair, chain, step, stream):
/// HMC momenta, and random starts. Box–Muller turns the two 53-bit uniforms of one Philox call into two
/// normals, cos for the even site of a pair (i, i + 1) and sin for the odd one, so a pair costs one call,
/// one log and one sqrt; a GPU thread with one site computes its pair's numbers and keeps its half. The logarithm, sine
/// and cosine are <see cref="PortableMath"/>'s, built from basic IEEE operations, so the host SIMD twin computes the same
/// bits in lanes (the C library's functions, which XMath calls on the host, have no vector counterpart that rounds alike).
/// </summary>
public readonly partial struct GaussianKernel<TV>(TV target, int volume, int width, RngKey key, uint step, uint stream, double scale) : IRebindableKernel
    where TV : struct, IView<double>
{
    public void Execute(int index)
    {
        int start = index * width, b = start / volume;
        for (int i = start; i < start + width;) i = Normals(b, i, start + width);
    }

    /// <summary>
    /// Element i of chain b, and i + 1 too where they make a site pair before <paramref name="end"/>; returns the next i
    /// (the host SIMD twin runs the elements around its whole vectors through it).
    /// </summary>
    public int Normals(int b, int i, int end)
    {
        int site = i - b * volume;
        var w = Philox.Generate(key, (uint)(site >> 1), (uint)b, step, stream);
        double radius = scale * ILGPU.Algorithms.XMath.Sqrt(-2.0 * PortableMath.Log(Philox.Uniform53(w.X0, w.X1)));
        PortableMath.SinCosTwoPi(Philox.Uniform53(w.X2, w.X3), out double sin, out double cos);
        bool pair = (site & 1) == 0 && i + 1 < end;
        if (pair || (site & 1) == 0) target[i] = radius * cos;
        if (pair) target[i + 1] = radius * sin;
        else if ((site & 1) == 1) target[i] = radius * sin;
        return i + (pair ? 2 : 1);
    }
}
