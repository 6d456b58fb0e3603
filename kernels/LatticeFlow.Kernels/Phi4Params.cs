namespace LatticeFlow.Kernels;

/// <summary>
/// Couplings of S(φ) = Σ_x [ Σ_μ (φ(x+μ̂) − φ(x))² + m² φ(x)² + λ φ(x)⁴ ] in d = 2
/// (Albergo et al. 2019, eq. 20–21), and the per-site pieces every kernel shares.
/// </summary>
public readonly struct Phi4Params(double m2, double lambda)
{
    public readonly double M2 = m2, Lambda = lambda;

    /// <summary>
    /// The part of S that depends on φ(x) with its four neighbours summing to nb:
    /// (2d + m²) φ² + λ φ⁴ − 2 φ nb. Differences of it are exact action differences for local updates.
    /// </summary>
    public double LocalAction(double phi, double nb)
    {
        double p2 = phi * phi;
        return (4.0 + M2) * p2 + Lambda * p2 * p2 - 2.0 * phi * nb;
    }

    /// <summary>∂S/∂φ(x) = 2(2d + m²) φ − 2 Σ_μ [φ(x+μ̂) + φ(x−μ̂)] + 4λ φ³.</summary>
    public double Force(double phi, double nb) => 2.0 * (4.0 + M2) * phi - 2.0 * nb + 4.0 * Lambda * phi * phi * phi;

    /// <summary>The site term of S with forward differences: (φ(x+x̂) − φ)² + (φ(x+ŷ) − φ)² + m² φ² + λ φ⁴.</summary>
    public double SiteAction(double phi, double up, double right)
    {
        double dx = up - phi, dy = right - phi, p2 = phi * phi;
        return dx * dx + dy * dy + M2 * p2 + Lambda * p2 * p2;
    }
}
