using LatticeFlow.Flows;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Tests.Runs;

/// <summary>A training directory's stop at a target acceptance (TrainRun), confirmed on fresh proposals.</summary>
public sealed class TrainRunTests
{
    /// <summary>
    /// At L = 6, λ = 6.975 the running acceptance reaches 0.3 after ~350 steps while a long chain accepts only 0.24:
    /// a stop at the target must be confirmed on fresh proposals, so the final evaluation on 10⁴ proposals holds it.
    /// </summary>
    [Fact]
    public void TargetAcceptanceStopIsConfirmedOnFreshProposals()
    {
        using var tmp = new TempDir();
        var r = TrainRun.Execute(new TrainSettings
        {
            Architecture = new FlowArchitecture { Lx = 6, Ly = 6, Layers = 16, Hidden = [8, 8] },
            Action = Phi4Couplings.Standard(-4, 6.975),
            OutputDirectory = tmp.Sub("flow"),
            LearningRate = 3e-3,
            Schedule = ScheduleKind.Cosine,
            Steps = 3000,
            TargetAcceptance = 0.3,
            Seed = 1,
            Device = "cpu",
        }, ProgressReporter.Silent, default);
        Assert.Equal("target reached", r.Status);
        Assert.Equal(0, r.Steps % 100);
        // 10⁴ proposals of an independence chain with acceptance 0.3 and τ_int ≈ 5: σ ≈ 0.01.
        Assert.True(r.Quality!.Acceptance > 0.3 - 0.04, $"acceptance on 10⁴ fresh proposals {r.Quality.Acceptance}; {r.Message}");
    }

    /// <summary>
    /// The target check runs at multiples of the window once the running acceptance reaches the target; with
    /// symmetrised proposals (which accept more than the plain flow training measures) also at every fourth window
    /// once it is a quarter of the target, and never before the window is full.
    /// </summary>
    [Theory]
    [InlineData(false, 0.35, 300, true)]
    [InlineData(false, 0.35, 350, false)]
    [InlineData(false, 0.25, 400, false)]
    [InlineData(true, 0.25, 300, false)]
    [InlineData(true, 0.25, 400, true)]
    [InlineData(true, 0.05, 400, false)]
    [InlineData(true, 0.35, 300, true)]
    [InlineData(true, 0.35, 50, false)]
    public void TargetCheckIsDueAtWindowMultiples(bool symmetrize, double runningAcceptance, long step, bool due)
    {
        var settings = new TrainSettings
        {
            Architecture = new FlowArchitecture { Lx = 4, Ly = 4 },
            Action = Phi4Couplings.Tutorial,
            OutputDirectory = "unused",
            TargetAcceptance = 0.3,
            StopWindow = 100,
            Symmetrize = symmetrize,
        };
        var history = new TrainingHistory(settings.StopWindow);
        for (long k = 1; k <= step; k++) history.Add(new TrainStepMetrics(k, 0, 0, runningAcceptance, 0, 0), 0);
        Assert.Equal(due, TrainRun.TargetCheckDue(step, settings, history));
    }

    /// <summary>The running means are over the last window of steps, the loss's like the ESS's and the acceptance's.</summary>
    [Fact]
    public void RunningMeansCoverTheLastWindow()
    {
        var history = new TrainingHistory(4);
        for (long k = 1; k <= 10; k++) history.Add(new TrainStepMetrics(k, k, 0.1 * k, 0.01 * k, 0, 0), 0);
        // Steps 7–10.
        Assert.Equal(8.5, history.RunningLoss, 12);
        Assert.Equal(0.85, history.RunningEss, 12);
        Assert.Equal(0.085, history.RunningAcceptance, 12);
    }
}
