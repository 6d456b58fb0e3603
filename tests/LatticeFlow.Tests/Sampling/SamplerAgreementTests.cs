using LatticeFlow.Analysis;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Sampling;

/// <summary>Local Metropolis and HMC are independent algorithms for the same distribution: they must agree within errors.</summary>
public class SamplerAgreementTests
{
    [Fact]
    public void MetropolisAndHmcAgreeAtTheTutorialPoint()
    {
        var geometry = LatticeGeometry.Square(8);
        double v = geometry.Volume;
        using var metropolis = new Ensemble("metropolis", geometry, Phi4Couplings.Tutorial, chains: 4, n: 20000, therm: 2000, seed: 5);
        using var hmc = new Ensemble("hmc", geometry, Phi4Couplings.Tutorial, chains: 4, n: 8000, therm: 1000, seed: 6);

        GammaResult AbsM(Ensemble e) => GammaMethod.Derived(Ensemble.Replicas(e.Table.Column("absM")), a => a[0] / v);
        GammaResult Chi2(Ensemble e) => GammaMethod.Derived(Ensemble.Replicas(e.Table.Column("M2"), e.Table.Column("M")), a => (a[0] - a[1] * a[1]) / v);
        GammaResult Energy(Ensemble e) => GammaMethod.Derived(Ensemble.Replicas(e.Table.Column("ising_product"), e.Table.Column("M")), a => a[0] - a[1] * a[1] / (v * v));

        foreach (var (name, f) in new (string, Func<Ensemble, GammaResult>)[] { ("<|M|>/V", AbsM), ("chi2", Chi2), ("E", Energy) })
        {
            var a = f(metropolis);
            var b = f(hmc);
            double sigma = Math.Sqrt(a.Error * a.Error + b.Error * b.Error);
            Assert.True(Math.Abs(a.Value - b.Value) < 4 * sigma, $"{name}: Metropolis {a.Value} ± {a.Error}, HMC {b.Value} ± {b.Error}");
        }
    }

    /// <summary>Creutz's identity ⟨exp(−ΔH)⟩ = 1 holds for an exact (reversible, area-preserving) integrator.</summary>
    [Theory]
    [InlineData(IntegratorKind.Leapfrog)]
    [InlineData(IntegratorKind.Omelyan)]
    public void ExpMinusDeltaHAveragesToOne(IntegratorKind integrator)
    {
        using var e = new Ensemble("hmc", LatticeGeometry.Square(8), Phi4Couplings.Tutorial, chains: 4, n: 4000, therm: 500, seed: 8,
            hmc: new HmcSettings(Integrator: integrator, TargetAcceptance: 0.6));
        var expMinusDh = e.Table.Column("delta_H").Select(c => c.Select(d => Math.Exp(-d)).ToArray()).ToArray();
        var r = GammaMethod.Analyze(expMinusDh);
        Assert.True(Math.Abs(r.Value - 1) < 4 * r.Error, $"<exp(-dH)> = {r.Value} ± {r.Error}");
        Assert.True(r.Error < 0.05, "the test must be able to fail: error too large");
    }
}
