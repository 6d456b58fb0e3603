using LatticeFlow.Analysis;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Sampling;

/// <summary>HMC's own identity; agreement between samplers is RegisteredSamplerTests'.</summary>
public class SamplerAgreementTests
{
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
