namespace LatticeFlow.Physics;

/// <summary>
/// The exactly solvable free field (λ = 0, m² &gt; 0) with our normalisation, S = Σ_x[Σ_μ(∇_μφ)² + m²φ²]:
/// ⟨φ(x) φ(0)⟩ = (1/V) Σ_p cos(p·x) / (2 (p̂² + m²)), p̂² = Σ_μ 4 sin²(p_μ/2), p_μ = 2π n_μ / L_μ (DESIGN.md).
/// Every sampler must reproduce it.
/// </summary>
public static class FreeField
{
    public static double Propagator(int lx, int ly, double m2, int dx, int dy)
    {
        if (m2 <= 0) throw new ArgumentOutOfRangeException(nameof(m2), "the free field needs m² > 0");
        double sum = 0;
        for (int nx = 0; nx < lx; nx++)
        for (int ny = 0; ny < ly; ny++)
        {
            double px = 2 * Math.PI * nx / lx, py = 2 * Math.PI * ny / ly;
            double sx = Math.Sin(px / 2), sy = Math.Sin(py / 2);
            double p2 = 4 * sx * sx + 4 * sy * sy;
            sum += Math.Cos(px * dx + py * dy) / (2 * (p2 + m2));
        }
        return sum / (lx * ly);
    }
}
