namespace LatticeFlow.Kernels;

/// <summary>
/// The kernel side of the action seam (after Grid's ScalarInteractionAction, generic in the dimension): a real scalar
/// field with the nearest-neighbour kinetic term Σ_x Σ_μ (φ(x+μ̂) − φ(x))² and a local remainder. The Metropolis,
/// force, energy and observable kernels take an implementation as a type parameter; they supply the lattice
/// sums (Σ_μ [φ(x+μ̂) + φ(x−μ̂)], or the forward kinetic sum), the action supplies the rest. Implementations are
/// readonly structs of plain numbers (kernel parameters must be blittable).
/// </summary>
public interface ILocalAction
{
    /// <summary>
    /// The part of S that depends on φ(x) when its 2d neighbours sum to <paramref name="neighbourSum"/>: differences of
    /// it are exact action differences for a change of φ(x) alone (the Metropolis ΔS).
    /// </summary>
    double LocalAction(double phi, double neighbourSum);

    /// <summary>∂S/∂φ(x) given the neighbour sum.</summary>
    double Force(double phi, double neighbourSum);

    /// <summary>The site term s(x) of S = Σ_x s(x), given the forward kinetic sum Σ_μ (φ(x+μ̂) − φ(x))².</summary>
    double SiteAction(double phi, double forwardKinetic);
}

/// <summary>
/// φ⁴ in d dimensions: S(φ) = Σ_x [ Σ_μ (φ(x+μ̂) − φ(x))² + m² φ(x)² + λ φ(x)⁴ ] (Albergo et al. 2019, eq. 20–21, there
/// with d = 2; Grid's ScalarInteractionAction in this normalisation).
/// </summary>
public readonly struct Phi4LocalAction(double m2, double lambda, int dimensions) : ILocalAction
{
    public readonly double M2 = m2, Lambda = lambda;

    /// <summary>2d + m², the coefficient of φ(x)² once the kinetic term is expanded.</summary>
    public readonly double Diagonal = 2.0 * dimensions + m2;

    /// <summary>(2d + m²) φ² + λ φ⁴ − 2 φ Σ_μ [φ(x+μ̂) + φ(x−μ̂)].</summary>
    public double LocalAction(double phi, double neighbourSum)
    {
        double p2 = phi * phi;
        return Diagonal * p2 + Lambda * p2 * p2 - 2.0 * phi * neighbourSum;
    }

    /// <summary>∂S/∂φ(x) = 2(2d + m²) φ − 2 Σ_μ [φ(x+μ̂) + φ(x−μ̂)] + 4λ φ³.</summary>
    public double Force(double phi, double neighbourSum) => 2.0 * Diagonal * phi - 2.0 * neighbourSum + 4.0 * Lambda * phi * phi * phi;

    /// <summary>s(x) = Σ_μ (φ(x+μ̂) − φ)² + m² φ² + λ φ⁴.</summary>
    public double SiteAction(double phi, double forwardKinetic)
    {
        double p2 = phi * phi;
        return forwardKinetic + M2 * p2 + Lambda * p2 * p2;
    }
}
