namespace LatticeFlow.Kernels;

/// <summary>
/// The force F(x) = ∂S/∂φ(x), either written to <c>target</c> (<c>step</c> = 0: the force itself, into a buffer the
/// caller owns) or applied as the momentum half of a molecular-dynamics step (<c>step</c> = 1: π(x) ← π(x) − ε F(x)).
/// </summary>
public readonly partial struct ForceKernel<TV, TA>(LatticeShape shape, TA action, TV phi, TV target, int step, double epsilon) : IRebindableKernel
    where TV : struct, IView<double> where TA : struct, ILocalAction
{
    public void Execute(int index)
    {
        var s = shape;
        s.Locate(index, out int b, out int x, out int y0);
        var rows = new StencilRows(s, b, x);
        int row = rows.Row;
        for (int y = y0; y < y0 + s.Width; y++)
        {
            double force = action.Force(phi[row + y], rows.NeighbourSum(s, phi, y));
            target[row + y] = step == 0 ? force : target[row + y] - epsilon * force;
        }
    }
}
