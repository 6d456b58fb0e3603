namespace LatticeFlow.Kernels;

/// <summary>
/// Row r of one chain and its forward and backward neighbour rows along each row axis (periodic): what the
/// nearest-neighbour terms of a local action need at every y of the row. Shared by the Metropolis, force, energy and
/// observable kernels, which all need Σ_μ [φ(x+μ̂) + φ(x−μ̂)] or the forward differences φ(x+μ̂) − φ(x) (DESIGN.md, force).
/// </summary>
public readonly struct StencilRows
{
    /// <summary>The row axes it (and <see cref="LatticeShape"/>, and the host twins that sum neighbour rows as it does) handle: d ≤ 4.</summary>
    public const int MaxRowAxes = 3;

    /// <summary>Offsets of row r and of its neighbour rows along row axes 0–2 (equal to Row along unused axes).</summary>
    public readonly int Row, Up0, Down0, Up1, Down1, Up2, Down2;

    /// <summary>x0 + … + x_{d−2}: the row's share of the checkerboard parity Σ_μ x_μ.</summary>
    public readonly int CoordinateSum;

    public StencilRows(LatticeShape s, int chain, int r)
    {
        Row = s.RowOffset(chain, r);
        CoordinateSum = s.Neighbours(r, 0, out int up, out int down);
        Up0 = s.RowOffset(chain, up);
        Down0 = s.RowOffset(chain, down);
        Up1 = Down1 = Up2 = Down2 = Row;
        if (s.RowDims > 1)
        {
            CoordinateSum += s.Neighbours(r, 1, out up, out down);
            Up1 = s.RowOffset(chain, up);
            Down1 = s.RowOffset(chain, down);
        }
        if (s.RowDims > 2)
        {
            CoordinateSum += s.Neighbours(r, 2, out up, out down);
            Up2 = s.RowOffset(chain, up);
            Down2 = s.RowOffset(chain, down);
        }
    }

    /// <summary>Σ_μ [φ(x+μ̂) + φ(x−μ̂)] at (r, y), the row axes first, then y.</summary>
    public double NeighbourSum<TV>(LatticeShape s, TV phi, int y) where TV : struct, IView<double>
    {
        double sum = phi[Up0 + y] + phi[Down0 + y];
        if (s.RowDims > 1) sum = sum + phi[Up1 + y] + phi[Down1 + y];
        if (s.RowDims > 2) sum = sum + phi[Up2 + y] + phi[Down2 + y];
        return sum + phi[Row + s.Next(y, s.Ly)] + phi[Row + s.Prev(y, s.Ly)];
    }

    /// <summary>Σ_μ φ(x+μ̂) at (r, y), the row axes first, then y.</summary>
    public double ForwardSum<TV>(LatticeShape s, TV phi, int y) where TV : struct, IView<double>
    {
        double sum = phi[Up0 + y];
        if (s.RowDims > 1) sum += phi[Up1 + y];
        if (s.RowDims > 2) sum += phi[Up2 + y];
        return sum + phi[Row + s.Next(y, s.Ly)];
    }

    /// <summary>Σ_μ (φ(x+μ̂) − φ(x))² at (r, y), the row axes first, then y: the kinetic term of the site action.</summary>
    public double ForwardKinetic<TV>(LatticeShape s, TV phi, int y, double p) where TV : struct, IView<double>
    {
        double d = phi[Up0 + y] - p, kinetic = d * d;
        if (s.RowDims > 1) { d = phi[Up1 + y] - p; kinetic += d * d; }
        if (s.RowDims > 2) { d = phi[Up2 + y] - p; kinetic += d * d; }
        d = phi[Row + s.Next(y, s.Ly)] - p;
        return kinetic + d * d;
    }
}
