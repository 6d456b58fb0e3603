namespace LatticeFlow.Kernels;

/// <summary>
/// A batch of <c>Chains</c> periodic Lx × Ly lattices stored in C order [chain, x, y]:
/// site (x, y) of chain b lives at b·V + x·Ly + y. Work items cover <c>Width</c> consecutive
/// sites of one row, so the managed launcher can give a whole row to one call (Width = Ly) and a
/// GPU one site per thread (Width = 1) with the same kernel body.
/// </summary>
public readonly struct LatticeShape(int lx, int ly, int chains, int width)
{
    public readonly int Lx = lx, Ly = ly, Chains = chains, Width = width;

    public int Volume => Lx * Ly;
    public int Sites => Lx * Ly * Chains;
    public int Rows => Lx * Chains;

    /// <summary>Work items when every site is visited.</summary>
    public int Items => Rows * (Ly / Width);

    /// <summary>Work items when one checkerboard colour is visited (Width counts sites of that colour).</summary>
    public int HalfItems => Rows * (Ly / 2 / Width);

    /// <summary>The row (b·Lx + x) and first y of an item covering all sites.</summary>
    public void Locate(int item, out int chain, out int x, out int y0)
    {
        int perRow = Ly / Width;
        int row = item / perRow;
        y0 = (item - row * perRow) * Width;
        chain = row / Lx;
        x = row - chain * Lx;
    }

    /// <summary>The row and first colour index k (site y = 2k + offset) of an item covering one colour.</summary>
    public void LocateHalf(int item, out int chain, out int x, out int k0)
    {
        int perRow = Ly / 2 / Width;
        int row = item / perRow;
        k0 = (item - row * perRow) * Width;
        chain = row / Lx;
        x = row - chain * Lx;
    }

    /// <summary>Offset of row x of chain b.</summary>
    public int RowOffset(int chain, int x) => chain * Lx * Ly + x * Ly;

    public int Next(int i, int l) => i + 1 == l ? 0 : i + 1;
    public int Prev(int i, int l) => i == 0 ? l - 1 : i - 1;
}
