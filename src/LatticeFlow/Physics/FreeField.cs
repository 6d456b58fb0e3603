namespace LatticeFlow.Physics;

/// <summary>
/// The exactly solvable free field (λ = 0, m² &gt; 0) with our normalisation, S = Σ_x[Σ_μ(∇_μφ)² + m²φ²], in any d:
/// ⟨φ(x) φ(0)⟩ = (1/V) Σ_p cos(p·x) / (2 (p̂² + m²)), p̂² = Σ_μ 4 sin²(p_μ/2), p_μ = 2π n_μ / L_μ (DESIGN.md).
/// Every sampler must reproduce it.
/// </summary>
public static class FreeField
{
    /// <summary>⟨φ(x) φ(0)⟩ on a periodic lattice of <paramref name="extents"/> at separation <paramref name="separation"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">m² ≤ 0.</exception>
    /// <exception cref="ArgumentException">The separation has another number of components than the lattice has dimensions.</exception>
    public static double Propagator(IReadOnlyList<int> extents, double m2, IReadOnlyList<int> separation)
    {
        if (m2 <= 0) throw new ArgumentOutOfRangeException(nameof(m2), "the free field needs m² > 0");
        if (separation.Count != extents.Count) throw new ArgumentException($"a separation of {separation.Count} components on a {extents.Count}-dimensional lattice");
        int d = extents.Count, volume = 1;
        foreach (int l in extents) volume *= l;
        var n = new int[d];
        double sum = 0;
        for (int k = 0; k < volume; k++)
        {
            for (int mu = d - 1, rest = k; mu >= 0; mu--)
            {
                n[mu] = rest % extents[mu];
                rest /= extents[mu];
            }
            double phase = 0, p2 = 0;
            for (int mu = 0; mu < d; mu++)
            {
                phase += 2 * Math.PI * n[mu] / extents[mu] * separation[mu];
                p2 += LatticeMomentum.Squared(n[mu], extents[mu]);
            }
            sum += Math.Cos(phase) / (2 * (p2 + m2));
        }
        return sum / volume;
    }

    /// <summary>⟨φ(x) φ(0)⟩ on an Lx × Ly lattice at separation (dx, dy).</summary>
    public static double Propagator(int lx, int ly, double m2, int dx, int dy) => Propagator([lx, ly], m2, [dx, dy]);
}
