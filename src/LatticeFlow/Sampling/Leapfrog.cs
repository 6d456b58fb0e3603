namespace LatticeFlow.Sampling;

/// <summary>
/// Leapfrog: [P(ε/2) Q(ε) P(ε/2)]ⁿ, with the inner half-steps merged, so n steps cost n force evaluations.
/// Error O(ε²) per unit time.
/// </summary>
public sealed class Leapfrog : IIntegrator
{
    public string Name => "leapfrog";
    public int ForcesPerStep => 1;

    public void Integrate(MolecularDynamics md, double epsilon, int steps)
    {
        md.UpdateMomenta(0.5 * epsilon);
        for (int i = 0; i < steps; i++)
        {
            md.UpdateField(epsilon);
            md.UpdateMomenta(i == steps - 1 ? 0.5 * epsilon : epsilon);
        }
    }
}
