namespace LatticeFlow.Kernels;

/// <summary>
/// Per-configuration observables, one item per (chain b, time slice t), t the second lattice index:
/// out[3(b·Ly + t) + 0] = T(t) = Σ_{x1} φ(x1, t)           (time-slice sum; Σ_t gives M)
/// out[3(b·Ly + t) + 1] = Σ_{x1} s(x1, t)                   (site action; Σ_t gives S)
/// out[3(b·Ly + t) + 2] = Σ_{x1} φ(x) [φ(x + x̂) + φ(x + ŷ)]  (nearest-neighbour products for the Ising energy)
/// The host adds the Ly slices of each chain; everything proportional to V stays on the device.
/// </summary>
public readonly struct ObservableKernel<TV>(LatticeShape shape, Phi4Params action, TV phi, TV output) : IRebindableKernel
    where TV : struct, IView<double>
{
    private readonly LatticeShape _shape = shape;
    private readonly Phi4Params _action = action;
    private readonly TV _phi = phi, _output = output;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new ObservableKernel<HostView<double>>(_shape, _action, _phi.Host, _output.Host));

    public void Execute(int index)
    {
        var s = _shape;
        int b = index / s.Ly, t = index - b * s.Ly;
        int tNext = s.Next(t, s.Ly);
        double slice = 0.0, act = 0.0, nn = 0.0;
        for (int x = 0; x < s.Lx; x++)
        {
            int row = s.RowOffset(b, x), up = s.RowOffset(b, s.Next(x, s.Lx));
            double p = _phi[row + t], pUp = _phi[up + t], pRight = _phi[row + tNext];
            slice += p;
            act += _action.SiteAction(p, pUp, pRight);
            nn += p * (pUp + pRight);
        }
        _output[ObservableSlots.PerSlice * index + 0] = slice;
        _output[ObservableSlots.PerSlice * index + 1] = act;
        _output[ObservableSlots.PerSlice * index + 2] = nn;
    }
}

/// <summary>Numbers per (chain, time slice) written by <see cref="ObservableKernel{TV}"/>.</summary>
public static class ObservableSlots
{
    public const int PerSlice = 3;
}
