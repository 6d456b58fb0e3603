namespace LatticeFlow.Kernels;

/// <summary>
/// The Metropolis test at the end of an HMC trajectory, one item per chain: accept with probability
/// min(1, exp(−ΔH)), ΔH = H(end) − H(start) (Duane et al. 1987). Flags are 1.0 (accepted) or 0.0.
/// </summary>
public readonly struct HmcAcceptKernel<TV>(TV hStart, TV hEnd, TV deltaH, TV accepted, RngKey key, uint trajectory) : IRebindableKernel
    where TV : struct, IView<double>
{
    private readonly TV _hStart = hStart, _hEnd = hEnd, _deltaH = deltaH, _accepted = accepted;
    private readonly RngKey _key = key;
    private readonly uint _trajectory = trajectory;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new HmcAcceptKernel<HostView<double>>(_hStart.Host, _hEnd.Host, _deltaH.Host, _accepted.Host, _key, _trajectory));

    public void Execute(int index)
    {
        double dH = _hEnd[index] - _hStart[index];
        var w = Philox.Generate(_key, 0u, (uint)index, _trajectory, RngStream.HmcAccept);
        // A trajectory that blew up (∞ − ∞ = NaN) has an infinite energy violation: rejected, and recorded as +∞,
        // which is also its correct contribution e^−ΔH = 0 to Creutz's ⟨e^−ΔH⟩ = 1.
        if (double.IsNaN(dH)) dH = double.PositiveInfinity;
        _accepted[index] = dH <= 0.0 || Philox.Uniform53(w.X0, w.X1) < ILGPU.Algorithms.XMath.Exp(-dH) ? 1.0 : 0.0;
        _deltaH[index] = dH;
    }
}
