using LatticeFlow.Physics;
using MathNet.Numerics.LinearAlgebra;

namespace LatticeFlow.Tests.Physics;

public class FreeFieldTests
{
    /// <summary>
    /// Independent check of the momentum sum: S = φᵀ A φ with A = (2d + m²) 1 − Σ_μ (shift_μ + shift_−μ),
    /// so p(φ) ∝ exp(−φᵀAφ) has covariance (2A)⁻¹.
    /// </summary>
    [Theory]
    [InlineData(4, 6, 0.5)]
    [InlineData(8, 8, 0.1)]
    [InlineData(2, 4, 2.0)]
    public void PropagatorEqualsInverseOfTheQuadraticForm(int lx, int ly, double m2)
    {
        int v = lx * ly;
        var a = Matrix<double>.Build.Dense(v, v);
        for (int x = 0; x < lx; x++)
        for (int y = 0; y < ly; y++)
        {
            int i = x * ly + y;
            a[i, i] += 4 + m2;
            a[i, (x + 1) % lx * ly + y] -= 1;
            a[i, (x + lx - 1) % lx * ly + y] -= 1;
            a[i, x * ly + (y + 1) % ly] -= 1;
            a[i, x * ly + (y + ly - 1) % ly] -= 1;
        }
        var cov = (2 * a).Inverse();
        for (int dx = 0; dx < lx; dx++)
        for (int dy = 0; dy < ly; dy++)
            Assert.Equal(cov[dx * ly + dy, 0], FreeField.Propagator(lx, ly, m2, dx, dy), 1e-12);
    }

    /// <summary>The same in d = 3 and 4, the quadratic form built with explicit coordinates (tests/…/Lattice/NaiveLattice).</summary>
    [Theory]
    [InlineData(new[] { 2, 4, 6 }, 0.5)]
    [InlineData(new[] { 4, 2, 2 }, 0.2)]
    [InlineData(new[] { 2, 2, 4, 2 }, 1.5)]
    public void PropagatorEqualsInverseOfTheQuadraticFormInHigherDimensions(int[] extents, double m2)
    {
        var sites = Lattice.NaiveLattice.Sites(extents).ToArray();
        int v = sites.Length, d = extents.Length;
        var a = Matrix<double>.Build.Dense(v, v);
        foreach (var x in sites)
        {
            int i = Lattice.NaiveLattice.Index(extents, x);
            a[i, i] += 2 * d + m2;
            for (int mu = 0; mu < d; mu++)
            {
                a[i, Lattice.NaiveLattice.Shifted(extents, x, mu, 1)] -= 1;
                a[i, Lattice.NaiveLattice.Shifted(extents, x, mu, -1)] -= 1;
            }
        }
        var cov = (2 * a).Inverse();
        foreach (var x in sites)
            Assert.Equal(cov[Lattice.NaiveLattice.Index(extents, x), 0], FreeField.Propagator(extents, m2, x), 1e-12);
    }
}
