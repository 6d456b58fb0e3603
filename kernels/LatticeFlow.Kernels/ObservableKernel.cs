namespace LatticeFlow.Kernels;

/// <summary>
/// Per-configuration observables, one item per (chain b, time slice t), t the last lattice index (y):
/// out[3(b·Ly + t) + 0] = T(t) = Σ_x⃗ φ(x⃗, t)                (time-slice sum; Σ_t gives M)
/// out[3(b·Ly + t) + 1] = Σ_x⃗ s(x⃗, t)                       (site action; Σ_t gives S)
/// out[3(b·Ly + t) + 2] = Σ_x⃗ φ(x) Σ_μ φ(x + μ̂)              (nearest-neighbour products for the Ising energy)
/// x⃗ runs over the rows (the other d − 1 coordinates). The host adds the Ly slices of each chain; everything
/// proportional to V stays on the device.
/// </summary>
public readonly partial struct ObservableKernel<TV, TA>(LatticeShape shape, TA action, TV phi, TV output) : IRebindableKernel
    where TV : struct, IView<double> where TA : struct, ILocalAction
{
    public void Execute(int index)
    {
        var s = shape;
        int b = index / s.Ly, t = index - b * s.Ly;
        double slice = 0.0, act = 0.0, nn = 0.0;
        for (int r = 0; r < s.RowsPerChain; r++)
        {
            var rows = new StencilRows(s, b, r);
            double p = phi[rows.Row + t];
            slice += p;
            act += action.SiteAction(p, rows.ForwardKinetic(s, phi, t, p));
            nn += p * rows.ForwardSum(s, phi, t);
        }
        output[ObservableSlots.PerSlice * index + 0] = slice;
        output[ObservableSlots.PerSlice * index + 1] = act;
        output[ObservableSlots.PerSlice * index + 2] = nn;
    }
}

/// <summary>Numbers per (chain, time slice) written by <see cref="ObservableKernel{TV, TA}"/>.</summary>
public static class ObservableSlots
{
    public const int PerSlice = 3;
}
