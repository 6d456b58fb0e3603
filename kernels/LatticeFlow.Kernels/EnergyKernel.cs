namespace LatticeFlow.Kernels;

/// <summary>
/// Row sums of the action density (and of π²/2 when <c>withMomenta</c> is 1): one item per row b·RowsPerChain + r.
/// Summing rows, then rows per chain (<see cref="SegmentSumKernel{TV}"/>), keeps the order of additions
/// fixed, so energies are bit-identical for any thread count.
/// </summary>
public readonly struct EnergyKernel<TV, TA>(LatticeShape shape, TA action, TV phi, TV pi, int withMomenta, TV rowSums) : IRebindableKernel
    where TV : struct, IView<double> where TA : struct, ILocalAction
{
    private readonly LatticeShape _shape = shape;
    private readonly TA _action = action;
    private readonly TV _phi = phi, _pi = pi, _rowSums = rowSums;
    private readonly int _withMomenta = withMomenta;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new EnergyKernel<HostView<double>, TA>(_shape, _action, _phi.Host, _pi.Host, _withMomenta, _rowSums.Host));

    public void Execute(int index)
    {
        var s = _shape;
        int b = index / s.RowsPerChain, r = index - b * s.RowsPerChain;
        var rows = new StencilRows(s, b, r);
        int row = rows.Row;
        double sum = 0.0;
        for (int y = 0; y < s.Ly; y++)
        {
            double p = _phi[row + y];
            sum += _action.SiteAction(p, rows.ForwardKinetic(s, _phi, y, p));
            if (_withMomenta != 0) sum += 0.5 * _pi[row + y] * _pi[row + y];
        }
        _rowSums[index] = sum;
    }
}

/// <summary>dst[i] = Σ_{j &lt; count} src[i·count + j]: per-chain totals from per-row partial sums.</summary>
public readonly struct SegmentSumKernel<TV>(TV source, TV destination, int count) : IRebindableKernel where TV : struct, IView<double>
{
    private readonly TV _source = source, _destination = destination;
    private readonly int _count = count;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new SegmentSumKernel<HostView<double>>(_source.Host, _destination.Host, _count));

    public void Execute(int index)
    {
        double sum = 0.0;
        for (int j = 0; j < _count; j++) sum += _source[index * _count + j];
        _destination[index] = sum;
    }
}
