namespace LatticeFlow.Kernels;

/// <summary>
/// A batch of <c>Chains</c> periodic lattices in d = RowDims + 1 ≤ 4 dimensions, extents (E0, …, E_{d−2}, Ly), stored
/// in C order [chain, x0, …, x_{d−2}, y]: the last axis y (the time direction of the correlators) runs along a row, and
/// row r = (x0·E1 + x1)·E2 + x2 of chain b starts at (b·RowsPerChain + r)·Ly. Unused row axes have extent 1, so the
/// same arithmetic serves d = 2 (r = x0), 3 and 4. Work items cover <c>Width</c> consecutive sites of one row, so the
/// managed launcher can give a whole row to one call (Width = Ly) and a GPU one site per thread (Width = 1) with the
/// same kernel body. Built only from a LatticeGeometry (its one description of the lattice on a device).
/// </summary>
public readonly struct LatticeShape(int rowDims, int e0, int e1, int e2, int ly, int chains, int width)
{
    /// <summary>Row axes d − 1 (1 … 3), their extents (1 where unused), the row length, chains and item width.</summary>
    public readonly int RowDims = rowDims, E0 = e0, E1 = e1, E2 = e2, Ly = ly, Chains = chains, Width = width;

    public int Dimensions => RowDims + 1;
    public int RowsPerChain => E0 * E1 * E2;
    public int Volume => RowsPerChain * Ly;
    public int Sites => Volume * Chains;
    public int Rows => RowsPerChain * Chains;

    /// <summary>Work items when every site is visited.</summary>
    public int Items => Rows * (Ly / Width);

    /// <summary>Work items when one checkerboard colour is visited (Width counts sites of that colour).</summary>
    public int HalfItems => Rows * (Ly / 2 / Width);

    /// <summary>The chain, the row r within it, and the first y of an item covering all sites.</summary>
    public void Locate(int item, out int chain, out int r, out int y0)
    {
        int perRow = Ly / Width;
        int row = item / perRow;
        y0 = (item - row * perRow) * Width;
        chain = row / RowsPerChain;
        r = row - chain * RowsPerChain;
    }

    /// <summary>The chain, row and first colour index k (site y = 2k + offset) of an item covering one colour.</summary>
    public void LocateHalf(int item, out int chain, out int r, out int k0)
    {
        int perRow = Ly / 2 / Width;
        int row = item / perRow;
        k0 = (item - row * perRow) * Width;
        chain = row / RowsPerChain;
        r = row - chain * RowsPerChain;
    }

    /// <summary>Offset of row r of chain b.</summary>
    public int RowOffset(int chain, int r) => (chain * RowsPerChain + r) * Ly;

    /// <summary>Extent of row axis a (0 ≤ a &lt; 3).</summary>
    public int Extent(int axis) => axis == 0 ? E0 : axis == 1 ? E1 : E2;

    /// <summary>Rows between neighbours along row axis a.</summary>
    public int RowStride(int axis) => axis == 0 ? E1 * E2 : axis == 1 ? E2 : 1;

    /// <summary>Coordinate x_a of row r.</summary>
    public int Coordinate(int r, int axis)
    {
        int q = r / RowStride(axis);
        return q - q / Extent(axis) * Extent(axis);
    }

    /// <summary>Coordinate x_a of row r, and the rows one step forward and back along row axis a (periodic).</summary>
    public int Neighbours(int r, int axis, out int up, out int down)
    {
        int c = Coordinate(r, axis), l = Extent(axis), stride = RowStride(axis);
        up = c + 1 == l ? r - c * stride : r + stride;
        down = c == 0 ? r + (l - 1) * stride : r - stride;
        return c;
    }

    public int Next(int i, int l) => i + 1 == l ? 0 : i + 1;
    public int Prev(int i, int l) => i == 0 ? l - 1 : i - 1;
}
