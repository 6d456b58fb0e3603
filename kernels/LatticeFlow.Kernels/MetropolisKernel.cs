namespace LatticeFlow.Kernels;

/// <summary>
/// Local Metropolis on one checkerboard colour: sites of a colour have no neighbours of that colour,
/// so all of them update at once. Each hit proposes φ' = φ + δ·U(−1, 1) and accepts with probability
/// min(1, e^−ΔS), ΔS from the local action's <see cref="ILocalAction.LocalAction"/>, tested as log u &lt; −ΔS: one
/// comparison that also covers ΔS ≤ 0, so the update is branch-free. A site's colour is the parity of Σ_μ x_μ, in any d.
/// Two sites of a colour that are consecutive in a row (colour index k = 2p, 2p + 1) share one Philox call per hit,
/// keyed by (row, pair p, chain, sweep,
/// hit, colour): half the random-number cost, and still independent of how sites are split into items
/// (a GPU thread with one site draws its pair's numbers and uses its half). Each item adds its accepted
/// hits to its own slot of <c>accepted</c> (no atomics; counts stay exact in double up to 2⁵³).
/// </summary>
public readonly partial struct MetropolisKernel<TV, TA>(
    LatticeShape shape, TA action, TV phi, TV accepted,
    RngKey key, uint sweep, int parity, double delta, int hits) : IRebindableKernel
    where TV : struct, IView<double> where TA : struct, ILocalAction
{
    public void Execute(int index) => accepted[index] += Update(index, 0, shape.Width);

    /// <summary>
    /// The hits on the item's sites with colour index k0 + from … k0 + to − 1 (from and to even or the item's end, so pairs
    /// stay whole), and how many were accepted: the host SIMD twin runs most sites of a row in lanes and hands the rest to
    /// this, with the same random words for each site whichever runs it.
    /// </summary>
    public int Update(int index, int from, int to)
    {
        var s = shape;
        s.LocateHalf(index, out int b, out int r, out int k0);
        var rows = new StencilRows(s, b, r);
        int offset = (rows.CoordinateSum + parity) & 1;
        int perColour = s.Ly / 2;
        int taken = 0;
        int k = k0 + from, end = k0 + to;
        while (k < end)
        {
            // Two whole pairs at once: their Philox calls interleaved (same numbers as one pair at a time).
            if ((k & 1) == 0 && k + 3 < end && k + 3 < perColour)
            {
                for (int h = 0; h < hits; h++)
                {
                    uint site = (uint)(r * s.Ly + (k >> 1));
                    var w = Philox.Generate2(key, site, site + 1, (uint)b, sweep, RngStream.Metropolis + (uint)(2 * h + parity));
                    taken += Hit(rows, 2 * k + offset, w.A.X0, w.A.X1);
                    taken += Hit(rows, 2 * (k + 1) + offset, w.A.X2, w.A.X3);
                    taken += Hit(rows, 2 * (k + 2) + offset, w.B.X0, w.B.X1);
                    taken += Hit(rows, 2 * (k + 3) + offset, w.B.X2, w.B.X3);
                }
                k += 4;
                continue;
            }
            bool pair = (k & 1) == 0 && k + 1 < end && k + 1 < perColour;
            for (int h = 0; h < hits; h++)
            {
                var w = Philox.Generate(key, (uint)(r * s.Ly + (k >> 1)), (uint)b, sweep, RngStream.Metropolis + (uint)(2 * h + parity));
                if (pair || (k & 1) == 0) taken += Hit(rows, 2 * k + offset, w.X0, w.X1);
                if (pair || (k & 1) == 1) taken += Hit(rows, 2 * (pair ? k + 1 : k) + offset, w.X2, w.X3);
            }
            k += pair ? 2 : 1;
        }
        return taken;
    }

    private int Hit(StencilRows rows, int y, uint wStep, uint wAccept)
    {
        int row = rows.Row;
        double nb = rows.NeighbourSum(shape, phi, y);
        double current = phi[row + y];
        double proposal = current + delta * (2.0 * Philox.Uniform(wStep) - 1.0);
        double dS = action.LocalAction(proposal, nb) - action.LocalAction(current, nb);
        bool accept = ILGPU.Algorithms.XMath.Log(Philox.Uniform(wAccept)) < -dS;
        int taken = accept ? 1 : 0;
        // Selected through an all-ones or all-zeros mask: the JIT compiles a ternary on doubles to a branch, which
        // mispredicts at the acceptances Metropolis runs at (~30% of the time of an update, 108 -> 155 M/s).
        ulong mask = 0UL - (ulong)taken;
        phi[row + y] = ILGPU.Interop.IntAsFloat((ILGPU.Interop.FloatAsInt(proposal) & mask) | (ILGPU.Interop.FloatAsInt(current) & ~mask));
        return taken;
    }
}
