namespace LatticeFlow.Kernels;

/// <summary>
/// The Metropolis test at the end of an HMC trajectory, one item per chain: accept with probability
/// min(1, exp(−ΔH)), ΔH = H(end) − H(start) (Duane et al. 1987). Flags are 1.0 (accepted) or 0.0.
/// </summary>
public readonly partial struct HmcAcceptKernel<TV>(TV hStart, TV hEnd, TV deltaH, TV accepted, RngKey key, uint trajectory) : IRebindableKernel
    where TV : struct, IView<double>
{
    public void Execute(int index)
    {
        double dH = hEnd[index] - hStart[index];
        var w = Philox.Generate(key, 0u, (uint)index, trajectory, RngStream.HmcAccept);
        // A trajectory that blew up (∞ − ∞ = NaN) has an infinite energy violation: rejected, and recorded as +∞,
        // which is also its correct contribution e^−ΔH = 0 to Creutz's ⟨e^−ΔH⟩ = 1.
        if (double.IsNaN(dH)) dH = double.PositiveInfinity;
        accepted[index] = dH <= 0.0 || Philox.Uniform53(w.X0, w.X1) < ILGPU.Algorithms.XMath.Exp(-dH) ? 1.0 : 0.0;
        deltaH[index] = dH;
    }
}
