namespace LatticeFlow.Kernels;

/// <summary>
/// Local Metropolis on one checkerboard colour: sites of a colour have no neighbours of that colour,
/// so all of them update at once. Each hit proposes φ' = φ + δ·U(−1, 1) and accepts with
/// probability min(1, exp(−ΔS)), ΔS from <see cref="Phi4Params.LocalAction"/>. Random numbers are keyed
/// by (site, chain, sweep, hit), so the result does not depend on how sites are split into items.
/// Each item adds its accepted hits to its own slot of <c>accepted</c> (no atomics needed; counts stay
/// exact in double up to 2⁵³).
/// </summary>
public readonly struct MetropolisKernel<TV>(
    LatticeShape shape, Phi4Params action, TV phi, TV accepted,
    RngKey key, uint sweep, int parity, double delta, int hits) : IRebindableKernel where TV : struct, IView<double>
{
    private readonly LatticeShape _shape = shape;
    private readonly Phi4Params _action = action;
    private readonly TV _phi = phi, _accepted = accepted;
    private readonly RngKey _key = key;
    private readonly uint _sweep = sweep;
    private readonly int _parity = parity, _hits = hits;
    private readonly double _delta = delta;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) => launcher.Launch(items, sites,
        new MetropolisKernel<HostView<double>>(_shape, _action, _phi.Host, _accepted.Host, _key, _sweep, _parity, _delta, _hits));

    public void Execute(int index)
    {
        var s = _shape;
        s.LocateHalf(index, out int b, out int x, out int k0);
        int row = s.RowOffset(b, x);
        int up = s.RowOffset(b, s.Next(x, s.Lx));
        int down = s.RowOffset(b, s.Prev(x, s.Lx));
        int offset = (x + _parity) & 1;
        int accepted = 0;
        for (int k = k0; k < k0 + s.Width; k++)
        {
            int y = 2 * k + offset;
            double nb = _phi[up + y] + _phi[down + y] + _phi[row + s.Next(y, s.Ly)] + _phi[row + s.Prev(y, s.Ly)];
            double current = _phi[row + y];
            double sCurrent = _action.LocalAction(current, nb);
            var words = new RandomWords(0, 0, 0, 0);
            for (int h = 0; h < _hits; h++)
            {
                if ((h & 1) == 0)
                    words = Philox.Generate(_key, (uint)(x * s.Ly + y), (uint)b, _sweep, RngStream.Metropolis + (uint)(h >> 1));
                uint wStep = (h & 1) == 0 ? words.X0 : words.X2;
                uint wAccept = (h & 1) == 0 ? words.X1 : words.X3;
                double proposal = current + _delta * (2.0 * Philox.Uniform(wStep) - 1.0);
                double sProposal = _action.LocalAction(proposal, nb);
                double dS = sProposal - sCurrent;
                if (dS <= 0.0 || Philox.Uniform(wAccept) < ILGPU.Algorithms.XMath.Exp(-dS))
                {
                    current = proposal;
                    sCurrent = sProposal;
                    accepted++;
                }
            }
            _phi[row + y] = current;
        }
        _accepted[index] += accepted;
    }
}
