using LatticeFlow.Analysis;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Sampling;

/// <summary>
/// The sharpest correctness test there is: at λ = 0 every sampler must reproduce the exact propagator
/// ⟨φ(x)φ(0)⟩ of DESIGN.md within 4 standard errors that include autocorrelation (Γ-method, chains as replicas).
/// A rectangular lattice catches any mix-up of Lx and Ly.
/// </summary>
public class FreeFieldSamplingTests
{
    private static readonly (int Dx, int Dy)[] Separations = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 3), (3, 4)];

    [Theory]
    [InlineData("metropolis", 12000L)]
    [InlineData("hmc", 4000L)]
    public void SamplerReproducesTheExactPropagator(string algorithm, long n)
    {
        const double m2 = 0.5;
        var geometry = new LatticeGeometry(6, 8);
        using var e = new Ensemble(algorithm, geometry, Phi4Couplings.Standard(m2, 0), chains: 4, n, therm: 500, seed: 17,
            metropolis: new MetropolisSettings(Hits: 2));
        foreach (var (dx, dy) in Separations)
        {
            double exact = FreeField.Propagator(geometry.Lx, geometry.Ly, m2, dx, dy);
            var r = GammaMethod.Analyze(e.Correlator(dx, dy));
            Assert.True(r.Reliable, $"{algorithm} G({dx},{dy}): too few data (τ_int {r.TauInt})");
            Assert.True(Math.Abs(r.Value - exact) < 4 * r.Error,
                $"{algorithm} G({dx},{dy}) = {r.Value} ± {r.Error}, exact {exact} ({(r.Value - exact) / r.Error:F1}σ)");
        }
    }
}
