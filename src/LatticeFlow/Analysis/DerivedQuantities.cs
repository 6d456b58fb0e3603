namespace LatticeFlow.Analysis;

/// <summary>
/// A physical quantity as a function of the means of primary observables (columns of measurements.csv), written once
/// and used by analyze, sample's summary, sweeps, flow reports (reweighted) and tests (DESIGN.md principle 8).
/// </summary>
/// <param name="Key">The name in analysis.json, summary.csv and summary.json.</param>
/// <param name="Label">How plots and tables print it.</param>
/// <param name="Primaries">The columns whose means <see cref="Of"/> takes, in order.</param>
/// <param name="Of">(means of <paramref name="Primaries"/>, volume V) → the quantity.</param>
public sealed record DerivedQuantity(string Key, string Label, string[] Primaries, Func<double[], double, double> Of)
{
    /// <summary>The quantity as a function of the means alone, at volume <paramref name="volume"/>.</summary>
    public Func<double[], double> At(double volume) => a => Of(a, volume);
}

/// <summary>
/// The derived observables of DESIGN.md, with V = Lx·Ly and d = 2: ⟨|M|⟩/V; the two-point susceptibility
/// χ₂ = Σ_x G_c(x) = (⟨M²⟩ − ⟨M⟩²)/V; the Ising energy E = (1/d) Σ_μ G_c(μ̂) = ⟨ising_product⟩ − ⟨M⟩²/V²
/// (ising_product = (1/(dV)) Σ_x Σ_μ φ(x) φ(x+μ̂)); and the zero-momentum correlator G̃(t) = Σ_{x1} G_c(x1, t) with
/// its effective mass m_eff(t) = arccosh[(G̃(t−1) + G̃(t+1)) / (2 G̃(t))] (Albergo et al. 2019, Sec. IV).
/// </summary>
public static class DerivedQuantities
{
    public static readonly DerivedQuantity AbsMagnetizationDensity = new("absM_per_V", "⟨|M|⟩/V", ["absM"], (a, v) => a[0] / v);
    public static readonly DerivedQuantity Chi2 = new("chi2", "χ₂", ["M2", "M"], (a, v) => (a[0] - a[1] * a[1]) / v);
    public static readonly DerivedQuantity IsingEnergy = new("E", "Ising energy E", ["ising_product", "M"], (a, v) => a[0] - a[1] * a[1] / (v * v));

    /// <summary>The bulk quantities every summary reports, in the order it prints them.</summary>
    public static readonly IReadOnlyList<DerivedQuantity> Bulk = [AbsMagnetizationDensity, Chi2, IsingEnergy];

    /// <summary>
    /// G̃(t) from the means of C_t = (1/V) Σ_{t0} T(t0 + t) T(t0) and of M, T(t) = Σ_{x1} φ(x1, t) the time-slice sums:
    /// G̃(t) = ⟨C_t⟩ − ⟨M⟩²/(V·Ly), since Σ_{x1} ⟨φ⟩² = Lx (⟨M⟩/V)².
    /// </summary>
    public static double ConnectedCorrelator(double meanC, double meanM, double volume, int ly) => meanC - meanM * meanM / (volume * ly);

    /// <summary>m_eff(t) = arccosh[(G̃(t−1) + G̃(t+1)) / (2 G̃(t))], exact for the periodic cosh of one state; NaN outside arccosh's domain.</summary>
    public static double EffectiveMass(double before, double at, double after) => Acosh((before + after) / (2 * at));

    private static double Acosh(double x) => x >= 1 ? Math.Log(x + Math.Sqrt(x * x - 1)) : double.NaN;
}
