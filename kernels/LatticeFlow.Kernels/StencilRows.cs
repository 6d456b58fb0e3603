namespace LatticeFlow.Kernels;

/// <summary>
/// Rows x, x+1 and x−1 (periodic) of one chain: what the nearest-neighbour terms of the action need at every y of row x.
/// Shared by the force and the Metropolis kernels, which both need Σ_μ [φ(x+μ̂) + φ(x−μ̂)] (DESIGN.md, force).
/// </summary>
public readonly struct StencilRows(LatticeShape s, int chain, int x)
{
    public readonly int Row = s.RowOffset(chain, x), Up = s.RowOffset(chain, s.Next(x, s.Lx)), Down = s.RowOffset(chain, s.Prev(x, s.Lx));

    /// <summary>Σ_μ [φ(x+μ̂) + φ(x−μ̂)] at (x, y).</summary>
    public double NeighbourSum<TV>(LatticeShape s, TV phi, int y) where TV : struct, IView<double> =>
        phi[Up + y] + phi[Down + y] + phi[Row + s.Next(y, s.Ly)] + phi[Row + s.Prev(y, s.Ly)];
}
