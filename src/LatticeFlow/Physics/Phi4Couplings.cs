using System.Text.Json.Serialization;

namespace LatticeFlow.Physics;

/// <summary>
/// Couplings of S(φ) = Σ_x [ Σ_μ (φ(x+μ̂) − φ(x))² + m² φ(x)² + λ φ(x)⁴ ] (Albergo et al. 2019, eq. 20–21).
/// The hopping form S = Σ_x [−2κ Σ_μ ϕ_x ϕ_{x+μ} + (1 − 2λ_h) ϕ_x² + λ_h ϕ_x⁴] maps to it with
/// φ = √κ ϕ, m² = (1 − 2λ_h)/κ − 2d, λ = λ_h/κ² (DESIGN.md); Kappa and LambdaHop remember it when used.
/// Files record it whole (<see cref="Actions"/>): {"name": "phi4", "m2": −4, "lambda": 8}, plus "kappa" and "lambda_hop"
/// in the hopping form. Two records are the same action when m² and λ are equal, in whichever form they were given.
/// </summary>
public sealed record Phi4Couplings : IActionParameters
{
    public double M2 { get; }
    public double Lambda { get; }
    public double? Kappa { get; }
    public double? LambdaHop { get; }

    /// <summary>The record as a file stores it (m² and λ as stored, so that a hopping-form run reads back bit for bit).</summary>
    [JsonConstructor]
    private Phi4Couplings(double m2, double lambda, double? kappa = null, double? lambdaHop = null)
    {
        Finite(SettingNames.M2, m2);
        Finite(SettingNames.Lambda, lambda);
        if (lambda < 0) throw new InvalidSettingException(SettingNames.Lambda, lambda, "λ must be ≥ 0 (the action is unbounded below otherwise)");
        if (lambda == 0 && m2 <= 0)
            throw new InvalidSettingException(SettingNames.M2, m2, "the free field (λ = 0) needs m² > 0 (the Gaussian is not normalisable otherwise)");
        M2 = m2;
        Lambda = lambda;
        Kappa = kappa;
        LambdaHop = lambdaHop;
    }

    /// <exception cref="InvalidSettingException">m² or λ not finite, λ &lt; 0, or λ = 0 with m² ≤ 0.</exception>
    public static Phi4Couplings Standard(double m2, double lambda) => new(m2, lambda, null, null);

    /// <exception cref="InvalidSettingException">κ ≤ 0, λ_h &lt; 0, a free field with κ ≥ 1/(2d), or numbers that are not finite.</exception>
    public static Phi4Couplings Hopping(double kappa, double lambdaHop, int dimensions = 2)
    {
        Finite(SettingNames.Kappa, kappa);
        Finite(SettingNames.LambdaHop, lambdaHop);
        if (kappa <= 0) throw new InvalidSettingException(SettingNames.Kappa, kappa, "the hopping parameter must be > 0");
        // Checked here in the hopping form's own terms: λ = λ_h/κ² < 0 iff λ_h < 0, and the free field's m² ≤ 0 iff κ ≥ 1/(2d).
        if (lambdaHop < 0) throw new InvalidSettingException(SettingNames.LambdaHop, lambdaHop, "λ_h must be ≥ 0 (the action is unbounded below otherwise)");
        if (lambdaHop == 0 && kappa >= 1.0 / (2 * dimensions))
            throw new InvalidSettingException(SettingNames.Kappa, kappa, $"the free field (λ_h = 0) needs κ < 1/{2 * dimensions}, i.e. m² > 0 (the Gaussian is not normalisable otherwise)");
        double m2 = (1 - 2 * lambdaHop) / kappa - 2.0 * dimensions, lambda = lambdaHop / (kappa * kappa);
        if (!double.IsFinite(m2) || !double.IsFinite(lambda))
            throw new InvalidSettingException(SettingNames.Kappa, kappa, "too small: m² and λ of the standard form overflow");
        return new(m2, lambda, kappa, lambdaHop);
    }

    /// <summary>Albergo et al. 2019 and the tutorial arXiv:2101.08176: m² = −4, λ = 8 at L = 8.</summary>
    public static Phi4Couplings Tutorial => Standard(-4.0, 8.0);

    [JsonIgnore] public string ActionName => "phi4";

    /// <summary>
    /// The couplings as files written before the action record stored them, in separate fields (meta.json's "physics",
    /// checkpoints, model headers), read back as what they were.
    /// </summary>
    /// <exception cref="InvalidInputException">Values no run could have had (named with <paramref name="what"/>).</exception>
    private static Phi4Couplings Recorded(double m2, double lambda, double? kappa, double? lambdaHop, string what)
    {
        try { return new(m2, lambda, kappa, lambdaHop); }
        catch (InvalidSettingException e) { throw new InvalidInputException($"{what}: the couplings it records are not valid ({e.Message})"); }
    }

    /// <summary>
    /// A file's action: its record where it has one, else the couplings it stored before the record existed; every
    /// format that once had separate fields reads through this.
    /// </summary>
    /// <exception cref="InvalidInputException">Neither (named with <paramref name="what"/>), or couplings no run could have had.</exception>
    public static IActionParameters RecordOr(IActionParameters? action, double? m2, double? lambda, double? kappa, double? lambdaHop, string what) =>
        action ?? (m2 is double m && lambda is double l ? Recorded(m, l, kappa, lambdaHop, what) : throw new InvalidInputException($"{what}: records no action"));

    /// <summary>The same action: equal m² and λ (κ and λ_h only say how it was given).</summary>
    public bool Equals(Phi4Couplings? other) => other is not null && M2.Equals(other.M2) && Lambda.Equals(other.Lambda);

    public override int GetHashCode() => HashCode.Combine(M2, Lambda);

    /// <summary>S in d = <see cref="Lattice.LatticeGeometry.Dimensions"/> with these couplings (<see cref="Kernels.Phi4LocalAction"/>).</summary>
    public IAction Create(Devices.ComputeDevice device, Lattice.LatticeGeometry geometry, int chains) =>
        new LatticeAction<Kernels.Phi4LocalAction>(device, geometry, chains, this, new Kernels.Phi4LocalAction(M2, Lambda, geometry.Dimensions));

    private static void Finite(string setting, double v)
    {
        if (!double.IsFinite(v)) throw new InvalidSettingException(setting, v, "must be a finite number");
    }
}
