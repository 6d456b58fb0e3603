namespace LatticeFlow.Physics;

/// <summary>
/// The lattice momentum of the φ⁴ action's nearest-neighbour Laplacian (DESIGN.md): p̂² = Σ_μ 4 sin²(p_μ/2),
/// p_μ = 2π n_μ / L_μ, the eigenvalue of −∇² on the plane wave e^{ip·x}, in lattice units.
/// </summary>
public static class LatticeMomentum
{
    /// <summary>One direction's share of p̂²: 4 sin²(π n / L) for mode n of an extent L.</summary>
    public static double Squared(int n, int extent)
    {
        double s = Math.Sin(Math.PI * n / extent);
        return 4 * s * s;
    }
}
