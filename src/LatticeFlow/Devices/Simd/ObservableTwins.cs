using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LatticeFlow.Kernels;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Host SIMD twin of <see cref="ObservableKernel{TV, TA}"/> with the φ⁴ local action (other actions run the body),
/// bit-identical to the body. The body gives one item to each (chain, time slice t) and walks down its column, one
/// <see cref="StencilRows"/> per site; measured after every sweep, that cost as much as a Metropolis sweep of a 64²
/// chain. Here an item is a chain's group of <see cref="GroupColumns"/> columns (the last group takes the rest, up to
/// 2·64 − 1 columns; a row of fewer than 64 is one group): each row's neighbour rows are
/// found once, and the columns' sums T(t), Σ s and Σ φ Σ_μ φ(x + μ̂) advance in lanes (one column per lane), with the
/// body's operations in its order (none fused) and its row order, so each column's three sums are the body's. The last
/// column (whose forward neighbour wraps to y = 0) and columns past the last whole vector run the body's arithmetic in
/// scalars.
/// </summary>
internal static unsafe class ObservableTwins
{
    /// <summary>Columns per item but the last, which takes the rest.</summary>
    public const int GroupColumns = 64;

    public static bool Measure<TV, TA>(ObservableKernel<TV, TA> k, TwinContext context, int items, long sites)
        where TV : struct, IView<double> where TA : struct, ILocalAction
    {
        if (typeof(TA) != typeof(Phi4LocalAction)) return false;
        var s = k.Shape;
        // The twin writes every (chain, time slice): a launch over fewer items than that runs the body.
        if (items != s.Chains * s.Ly || s.Ly <= DoubleLanes4.Count || s.RowDims > StencilRows.MaxRowAxes) return false;
        var action = k.Action;
        var args = new ObservableKernel<HostView<double>, Phi4LocalAction>(s, Unsafe.As<TA, Phi4LocalAction>(ref action), k.Phi.Host, k.Output.Host);
        int groups = Groups(s.Ly);
        if (context.Level == SimdLevel.Avx512 && s.Ly > DoubleLanes8.Count)
            context.Launcher.Launch(s.Chains * groups, sites, new ObservableTwin<DoubleLanes8, Vector512<double>>(args, groups));
        else context.Launcher.Launch(s.Chains * groups, sites, new ObservableTwin<DoubleLanes4, Vector256<double>>(args, groups));
        return true;
    }

    /// <summary>Column groups of a row of <paramref name="ly"/> sites: ⌊Ly / 64⌋ (at least 1), the last taking the rest.</summary>
    public static int Groups(int ly) => Math.Max(1, ly / GroupColumns);
}

/// <summary>One chain's group of columns (see <see cref="ObservableTwins"/>).</summary>
[SkipLocalsInit]
internal readonly unsafe struct ObservableTwin<TL, TD>(ObservableKernel<HostView<double>, Phi4LocalAction> a, int groups) : IKernel
    where TL : struct, IDoubleLanes<TD> where TD : unmanaged
{
    private readonly ObservableKernel<HostView<double>, Phi4LocalAction> _a = a;
    private readonly int _groups = groups;

    public void Execute(int item)
    {
        var a = _a;
        var s = a.Shape;
        int b = item / _groups, g = item - b * _groups, n = TL.Count;
        int first = g * ObservableTwins.GroupColumns, end = g == _groups - 1 ? s.Ly : first + ObservableTwins.GroupColumns, width = end - first;
        // Whole vectors up to the last column but one: the last column's forward neighbour is y = 0.
        int vectorEnd = first + (Math.Min(end, s.Ly - 1) - first) / n * n;
        double* sums = stackalloc double[3 * width];
        double* slice = sums, act = sums + width, nn = sums + 2 * width;
        for (int j = 0; j < 3 * width; j++) sums[j] = 0.0;
        double* phi = a.Phi.Pointer;
        TD m2 = TL.Broadcast(a.Action.M2), lambda = TL.Broadcast(a.Action.Lambda);
        for (int r = 0; r < s.RowsPerChain; r++)
        {
            var rows = new StencilRows(s, b, r);
            double* row = phi + rows.Row, up0 = phi + rows.Up0, up1 = phi + rows.Up1, up2 = phi + rows.Up2;
            for (int y = first; y < vectorEnd; y += n)
            {
                int j = y - first;
                TD p = TL.Load(row + y), u0 = TL.Load(up0 + y), next = TL.Load(row + y + 1);
                TD d = TL.Subtract(u0, p), kinetic = TL.Multiply(d, d), forward = u0;
                if (s.RowDims > 1)
                {
                    TD u1 = TL.Load(up1 + y);
                    d = TL.Subtract(u1, p);
                    kinetic = TL.Add(kinetic, TL.Multiply(d, d));
                    forward = TL.Add(forward, u1);
                }
                if (s.RowDims > 2)
                {
                    TD u2 = TL.Load(up2 + y);
                    d = TL.Subtract(u2, p);
                    kinetic = TL.Add(kinetic, TL.Multiply(d, d));
                    forward = TL.Add(forward, u2);
                }
                d = TL.Subtract(next, p);
                kinetic = TL.Add(kinetic, TL.Multiply(d, d));
                forward = TL.Add(forward, next);
                // Phi4LocalAction.SiteAction: forwardKinetic + M2 p² + λ p² p², in that order.
                TD p2 = TL.Multiply(p, p);
                TD site = TL.Add(TL.Add(kinetic, TL.Multiply(m2, p2)), TL.Multiply(TL.Multiply(lambda, p2), p2));
                TL.Store(slice + j, TL.Add(TL.Load(slice + j), p));
                TL.Store(act + j, TL.Add(TL.Load(act + j), site));
                TL.Store(nn + j, TL.Add(TL.Load(nn + j), TL.Multiply(p, forward)));
            }
            for (int y = vectorEnd; y < end; y++)
            {
                int j = y - first;
                double p = row[y];
                slice[j] += p;
                act[j] += a.Action.SiteAction(p, rows.ForwardKinetic(s, a.Phi, y, p));
                nn[j] += p * rows.ForwardSum(s, a.Phi, y);
            }
        }
        double* output = a.Output.Pointer + (long)ObservableSlots.PerSlice * (b * s.Ly + first);
        for (int j = 0; j < width; j++)
        {
            output[ObservableSlots.PerSlice * j + 0] = slice[j];
            output[ObservableSlots.PerSlice * j + 1] = act[j];
            output[ObservableSlots.PerSlice * j + 2] = nn[j];
        }
    }
}
