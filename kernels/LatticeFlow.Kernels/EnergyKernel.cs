using ILGPU;

namespace LatticeFlow.Kernels;

/// <summary>
/// Row sums of the action density (and of π²/2 when <c>withMomenta</c> is 1; an int, as ILGPU kernel parameters must be blittable): one item per row b·Lx + x.
/// Summing rows, then rows per chain (<see cref="SegmentSumKernel"/>), keeps the order of additions
/// fixed, so energies are bit-identical for any thread count.
/// </summary>
public readonly struct EnergyKernel(LatticeShape shape, Phi4Params action, ArrayView<double> phi, ArrayView<double> pi, int withMomenta, ArrayView<double> rowSums) : IKernel
{
    private readonly LatticeShape _shape = shape;
    private readonly Phi4Params _action = action;
    private readonly ArrayView<double> _phi = phi, _pi = pi, _rowSums = rowSums;
    private readonly int _withMomenta = withMomenta;

    public void Execute(int index)
    {
        var s = _shape;
        int b = index / s.Lx, x = index - b * s.Lx;
        int row = s.RowOffset(b, x);
        int up = s.RowOffset(b, s.Next(x, s.Lx));
        double sum = 0.0;
        for (int y = 0; y < s.Ly; y++)
        {
            double p = _phi[row + y];
            sum += _action.SiteAction(p, _phi[up + y], _phi[row + s.Next(y, s.Ly)]);
            if (_withMomenta != 0) sum += 0.5 * _pi[row + y] * _pi[row + y];
        }
        _rowSums[index] = sum;
    }
}

/// <summary>dst[i] = Σ_{j &lt; count} src[i·count + j]: per-chain totals from per-row partial sums.</summary>
public readonly struct SegmentSumKernel(ArrayView<double> source, ArrayView<double> destination, int count) : IKernel
{
    private readonly ArrayView<double> _source = source, _destination = destination;
    private readonly int _count = count;

    public void Execute(int index)
    {
        double sum = 0.0;
        for (int j = 0; j < _count; j++) sum += _source[index * _count + j];
        _destination[index] = sum;
    }
}
