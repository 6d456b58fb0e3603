namespace LatticeFlow.Kernels;

/// <summary>
/// Row sums of the action density (and of π²/2 when <c>withMomenta</c> is 1): one item per row b·RowsPerChain + r.
/// Summing rows, then rows per chain (<see cref="SegmentSumKernel{TV}"/>), keeps the order of additions
/// fixed, so energies are bit-identical for any thread count.
/// </summary>
public readonly partial struct EnergyKernel<TV, TA>(LatticeShape shape, TA action, TV phi, TV pi, int withMomenta, TV rowSums) : IRebindableKernel
    where TV : struct, IView<double> where TA : struct, ILocalAction
{
    public void Execute(int index)
    {
        var s = shape;
        int b = index / s.RowsPerChain, r = index - b * s.RowsPerChain;
        var rows = new StencilRows(s, b, r);
        int row = rows.Row;
        double sum = 0.0;
        for (int y = 0; y < s.Ly; y++)
        {
            double p = phi[row + y];
            sum += action.SiteAction(p, rows.ForwardKinetic(s, phi, y, p));
            if (withMomenta != 0) sum += 0.5 * pi[row + y] * pi[row + y];
        }
        rowSums[index] = sum;
    }
}

/// <summary>dst[i] = Σ_{j &lt; count} src[i·count + j]: per-chain totals from per-row partial sums.</summary>
public readonly partial struct SegmentSumKernel<TV>(TV source, TV destination, int count) : IRebindableKernel where TV : struct, IView<double>
{
    public void Execute(int index)
    {
        double sum = 0.0;
        for (int j = 0; j < count; j++) sum += source[index * count + j];
        destination[index] = sum;
    }
}
