using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Physics;

namespace LatticeFlow.Tests.Flows;

public sealed class FlowTrainingTests
{
    /// <summary>
    /// At the tutorial point (L = 8, m² = −4, λ = 8) a small model (4 couplings, conv 1 → 8 → 2, or → 23 for an 8-bin
    /// spline) trains for a short budget; loss and ESS on the same held-out batches (fresh step keys) must improve clearly.
    /// </summary>
    [Theory]
    [InlineData(CouplingKind.Affine)]
    [InlineData(CouplingKind.Spline)]
    public void ReverseKlTrainingImprovesLossAndEss(CouplingKind coupling)
    {
        var arch = new FlowArchitecture { Lx = 8, Ly = 8, Layers = 4, Hidden = [8], Coupling = coupling };
        using var device = DeviceFactory.Create("cpu", 2);
        using var flow = new RealNvpFlow(arch, device);
        flow.InitializeWeights(1);
        using var trainer = new FlowTrainer(flow, Phi4Couplings.Tutorial, 64, new AdamSettings(), 1);
        (double Loss, double Ess) Held()
        {
            double loss = 0, ess = 0;
            for (int k = 0; k < 4; k++)
            {
                var m = trainer.Evaluate(1_000_000 + k, withGradient: false);
                loss += m.Loss / 4;
                ess += m.Ess / 4;
            }
            return (loss, ess);
        }
        var before = Held();
        for (int s = 0; s < 300; s++) Assert.True(trainer.Step(s, 3e-3).Finite);
        var after = Held();
        Assert.True(after.Loss < before.Loss - 1.0, $"loss {before.Loss:F3} → {after.Loss:F3}");
        Assert.True(after.Ess > before.Ess + 0.025 && after.Ess > 2.5 * before.Ess, $"ESS {before.Ess:F3} → {after.Ess:F3}");
    }

    [Fact]
    public void EssIsOneForEqualWeightsAndOneOverNForOneDominant()
    {
        Assert.Equal(1.0, ImportanceWeights.EssPerSample([2.0, 2.0, 2.0, 2.0]), 12);
        Assert.Equal(0.25, ImportanceWeights.EssPerSample([0.0, -800, -800, -800]), 12);
    }

    [Fact]
    public void CosineScheduleGoesFromBaseRateToZero()
    {
        var s = new LearningRateSchedule(ScheduleKind.Cosine, 1e-3, 100);
        Assert.Equal(1e-3, s.At(0), 15);
        Assert.Equal(5e-4, s.At(50), 15);
        Assert.Equal(0, s.At(100), 15);
        Assert.Equal(1e-3, new LearningRateSchedule(ScheduleKind.Constant, 1e-3, 100).At(70));
    }

    /// <summary>With a time budget the cosine follows whichever budget is further along: seconds, or steps.</summary>
    [Fact]
    public void CosineScheduleFollowsTheTimeBudgetWhenItIsFurtherAlong()
    {
        var s = new LearningRateSchedule(ScheduleKind.Cosine, 1e-3, 1_000_000, TotalSeconds: 200);
        Assert.Equal(1e-3, s.At(0, 0), 15);
        Assert.Equal(5e-4, s.At(10, 100), 15);
        Assert.Equal(0, s.At(20, 250), 15);
        Assert.Equal(5e-4, new LearningRateSchedule(ScheduleKind.Cosine, 1e-3, 100, TotalSeconds: 1e6).At(50, 3), 15);
        Assert.Equal(1e-3, new LearningRateSchedule(ScheduleKind.Constant, 1e-3, 100, TotalSeconds: 200).At(70, 150));
    }
}
