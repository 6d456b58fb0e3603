namespace LatticeFlow.Sampling;

/// <summary>
/// The embedded-Ising cluster hybrid (<see cref="ClusterHybrid"/>): each update is one sweep of local Metropolis with
/// proposal width δ (<c>Delta</c>, tuned towards <c>TargetAcceptance</c> during thermalisation as for
/// <see cref="MetropolisSettings"/>; <c>Hits</c> proposals per site) for the magnitudes |φ|, then <c>Clusters</c>
/// Wolff single-cluster flips of the signs. <c>Clusters</c> = 0 leaves the Metropolis sweep alone.
/// </summary>
/// <remarks>
/// Why <see cref="DefaultClusters"/> = 4 (measured at the albergo2019 and extended points, m² = −4, m_p·L ≈ 4, L = 8–64,
/// for 1–32 clusters; docs/results/cluster-baseline.md): one cluster covers 13 % of the lattice at L = 8 and 7 % at L = 64
/// on average (∝ L^−0.3, as the embedded Ising susceptibility over V). The slowest observable is the energy E, whose τ_int
/// falls slowly with more clusters and levels off where the Metropolis sweep sets it (at L = 64: 26, 23, 18, 13, 13 for
/// 1, 2, 4, 8, 16 clusters), so the cost per independent configuration (2 τ_int,max × CPU time per update) is about the
/// same, within its ~15 % errors, for 1 to 4 clusters, and grows beyond 8; the magnetic observables, which carry the
/// critical slowing down, decorrelate about twice as fast with 4 clusters as with 1 (τ_int(χ₂) at L = 64: 8.2, 6.5,
/// 4.1, 3.1 for 1, 2, 4, 8).
/// </remarks>
public sealed record ClusterSettings(double Delta = 1.0, int Hits = 1, double TargetAcceptance = 0.7, int Clusters = ClusterSettings.DefaultClusters)
    : ISamplerSettings
{
    public const int DefaultClusters = 4;

    /// <summary>At most this many clusters per update: cluster c draws its bonds from Philox stream ClusterBond + c.</summary>
    public const int MaxClusters = 1 << 20;

    /// <summary>The Metropolis part of the update (a method: properties are settings, compared on a resume).</summary>
    public MetropolisSettings MetropolisPart() => new(Delta, Hits, TargetAcceptance);

    /// <exception cref="InvalidSettingException">The first unusable setting.</exception>
    public ClusterSettings Validated()
    {
        MetropolisPart().Validated();
        if (Clusters < 0) throw new InvalidSettingException(SettingNames.Clusters, Clusters, "must be ≥ 0 (0: Metropolis sweeps alone)");
        if (Clusters > MaxClusters) throw new InvalidSettingException(SettingNames.Clusters, Clusters, $"at most {MaxClusters} clusters per update");
        return this;
    }

    void ISamplerSettings.Check() => Validated();
}
