namespace LatticeFlow.Kernels;

/// <summary>The momentum half of a molecular-dynamics step: π(x) ← π(x) − ε ∂S/∂φ(x).</summary>
public readonly struct MomentumKernel<TV>(LatticeShape shape, Phi4Params action, TV phi, TV pi, double epsilon) : IRebindableKernel
    where TV : struct, IView<double>
{
    private readonly LatticeShape _shape = shape;
    private readonly Phi4Params _action = action;
    private readonly TV _phi = phi, _pi = pi;
    private readonly double _epsilon = epsilon;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new MomentumKernel<HostView<double>>(_shape, _action, _phi.Host, _pi.Host, _epsilon));

    public void Execute(int index)
    {
        var s = _shape;
        s.Locate(index, out int b, out int x, out int y0);
        int row = s.RowOffset(b, x);
        int up = s.RowOffset(b, s.Next(x, s.Lx));
        int down = s.RowOffset(b, s.Prev(x, s.Lx));
        for (int y = y0; y < y0 + s.Width; y++)
        {
            double nb = _phi[up + y] + _phi[down + y] + _phi[row + s.Next(y, s.Ly)] + _phi[row + s.Prev(y, s.Ly)];
            _pi[row + y] -= _epsilon * _action.Force(_phi[row + y], nb);
        }
    }
}

/// <summary>The force itself, F(x) = ∂S/∂φ(x), into a buffer the caller owns.</summary>
public readonly struct ForceKernel<TV>(LatticeShape shape, Phi4Params action, TV phi, TV force) : IRebindableKernel
    where TV : struct, IView<double>
{
    private readonly LatticeShape _shape = shape;
    private readonly Phi4Params _action = action;
    private readonly TV _phi = phi, _force = force;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new ForceKernel<HostView<double>>(_shape, _action, _phi.Host, _force.Host));

    public void Execute(int index)
    {
        var s = _shape;
        s.Locate(index, out int b, out int x, out int y0);
        int row = s.RowOffset(b, x);
        int up = s.RowOffset(b, s.Next(x, s.Lx));
        int down = s.RowOffset(b, s.Prev(x, s.Lx));
        for (int y = y0; y < y0 + s.Width; y++)
        {
            double nb = _phi[up + y] + _phi[down + y] + _phi[row + s.Next(y, s.Ly)] + _phi[row + s.Prev(y, s.Ly)];
            _force[row + y] = _action.Force(_phi[row + y], nb);
        }
    }
}
