namespace LatticeFlow.Physics;

/// <summary>
/// Couplings of S(φ) = Σ_x [ Σ_μ (φ(x+μ̂) − φ(x))² + m² φ(x)² + λ φ(x)⁴ ] (Albergo et al. 2019, eq. 20–21).
/// The hopping form S = Σ_x [−2κ Σ_μ ϕ_x ϕ_{x+μ} + (1 − 2λ_h) ϕ_x² + λ_h ϕ_x⁴] maps to it with
/// φ = √κ ϕ, m² = (1 − 2λ_h)/κ − 2d, λ = λ_h/κ² (DESIGN.md); Kappa and LambdaHop remember it when used.
/// </summary>
public sealed record Phi4Couplings
{
    public double M2 { get; }
    public double Lambda { get; }
    public double? Kappa { get; }
    public double? LambdaHop { get; }

    private Phi4Couplings(double m2, double lambda, double? kappa, double? lambdaHop)
    {
        Finite("m2", m2);
        Finite("lam", lambda);
        if (lambda < 0) throw new InvalidInputException($"lam = {lambda}: λ must be ≥ 0 (the action is unbounded below otherwise)");
        if (lambda == 0 && m2 <= 0)
            throw new InvalidInputException($"lam = 0 with m2 = {m2}: the free field needs m² > 0 (the Gaussian is not normalisable otherwise)");
        M2 = m2;
        Lambda = lambda;
        Kappa = kappa;
        LambdaHop = lambdaHop;
    }

    public static Phi4Couplings Standard(double m2, double lambda) => new(m2, lambda, null, null);

    public static Phi4Couplings Hopping(double kappa, double lambdaHop)
    {
        Finite("kappa", kappa);
        Finite("lam-hop", lambdaHop);
        if (kappa <= 0) throw new InvalidInputException($"kappa = {kappa}: the hopping parameter must be > 0");
        return new((1 - 2 * lambdaHop) / kappa - 4.0, lambdaHop / (kappa * kappa), kappa, lambdaHop);
    }

    /// <summary>Albergo et al. 2019 and the tutorial arXiv:2101.08176: m² = −4, λ = 8 at L = 8.</summary>
    public static Phi4Couplings Tutorial => Standard(-4.0, 8.0);

    public Kernels.Phi4Params Params => new(M2, Lambda);

    private static void Finite(string name, double v)
    {
        if (!double.IsFinite(v)) throw new InvalidInputException($"{name} = {v}: must be a finite number");
    }
}
