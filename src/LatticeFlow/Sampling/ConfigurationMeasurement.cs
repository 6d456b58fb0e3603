namespace LatticeFlow.Sampling;

/// <summary>
/// The per-configuration primaries of one chain (DESIGN.md): M = Σ_x φ(x), |M|, M², S/V, and the
/// nearest-neighbour product (1/(dV)) Σ_x Σ_μ φ(x) φ(x+μ̂) from which the Ising energy follows.
/// </summary>
public readonly record struct ConfigurationMeasurement(double M, double AbsM, double M2, double ActionDensity, double IsingProduct);
