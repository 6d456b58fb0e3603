namespace LatticeFlow.Kernels;

/// <summary>
/// The force F(x) = ∂S/∂φ(x), either written to <c>target</c> (<c>step</c> = 0: the force itself, into a buffer the
/// caller owns) or applied as the momentum half of a molecular-dynamics step (<c>step</c> = 1: π(x) ← π(x) − ε F(x)).
/// </summary>
public readonly struct ForceKernel<TV, TA>(LatticeShape shape, TA action, TV phi, TV target, int step, double epsilon) : IRebindableKernel
    where TV : struct, IView<double> where TA : struct, ILocalAction
{
    private readonly LatticeShape _shape = shape;
    private readonly TA _action = action;
    private readonly TV _phi = phi, _target = target;
    private readonly int _step = step;
    private readonly double _epsilon = epsilon;

    public void LaunchOnHost(IHostLauncher launcher, int items, long sites) =>
        launcher.Launch(items, sites, new ForceKernel<HostView<double>, TA>(_shape, _action, _phi.Host, _target.Host, _step, _epsilon));

    public void Execute(int index)
    {
        var s = _shape;
        s.Locate(index, out int b, out int x, out int y0);
        var rows = new StencilRows(s, b, x);
        int row = rows.Row;
        for (int y = y0; y < y0 + s.Width; y++)
        {
            double force = _action.Force(_phi[row + y], rows.NeighbourSum(s, _phi, y));
            _target[row + y] = _step == 0 ? force : _target[row + y] - _epsilon * force;
        }
    }
}
