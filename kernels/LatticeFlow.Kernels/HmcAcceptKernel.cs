using ILGPU;

namespace LatticeFlow.Kernels;

/// <summary>
/// The Metropolis test at the end of an HMC trajectory, one item per chain: accept with probability
/// min(1, exp(−ΔH)), ΔH = H(end) − H(start) (Duane et al. 1987).
/// </summary>
public readonly struct HmcAcceptKernel(ArrayView<double> hStart, ArrayView<double> hEnd, ArrayView<double> deltaH, ArrayView<int> accepted, RngKey key, uint trajectory) : IKernel
{
    private readonly ArrayView<double> _hStart = hStart, _hEnd = hEnd, _deltaH = deltaH;
    private readonly ArrayView<int> _accepted = accepted;
    private readonly RngKey _key = key;
    private readonly uint _trajectory = trajectory;

    public void Execute(int index)
    {
        double dH = _hEnd[index] - _hStart[index];
        var w = Philox.Generate(_key, 0u, (uint)index, _trajectory, RngStream.HmcAccept);
        // NaN ΔH (a blown-up trajectory) fails both tests and is rejected.
        bool accept = dH <= 0.0 || Philox.Uniform53(w.X0, w.X1) < ILGPU.Algorithms.XMath.Exp(-dH);
        _accepted[index] = accept ? 1 : 0;
        _deltaH[index] = dH;
    }
}
