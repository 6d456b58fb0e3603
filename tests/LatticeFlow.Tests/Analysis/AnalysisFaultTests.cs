using LatticeFlow.Analysis;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Analysis;

/// <summary>Runs that users reported analysed wrongly (issue 12), each with what the right analysis says.</summary>
public class AnalysisFaultTests
{
    private static string Sample(TempDir tmp, string algorithm, int lx, int ly, Phi4Couplings c, long n, long therm, int chains = 1, ulong seed = 1, HmcSettings? hmc = null)
    {
        string dir = tmp.Sub(algorithm + seed);
        SampleRun.Execute(new SampleSettings
        {
            Algorithm = algorithm, Geometry = new LatticeGeometry(lx, ly), Action = c, OutputDirectory = dir, Configurations = n,
            Thermalization = therm, Chains = chains, Seed = seed, Device = "cpu", Hmc = hmc ?? new(),
        }, ProgressReporter.Silent, default);
        return dir;
    }

    /// <summary>Every figure either has a positive error and τ_int, or says that it has none; no ± 0 that is not a constant.</summary>
    private static void AssertHonest(GammaResult r, string what)
    {
        switch (r.Status)
        {
            case ErrorStatus.Determined:
                Assert.True(r.Error > 0 && r.TauInt > 0 && r.TauIntError >= 0, $"{what}: error {r.Error}, tau {r.TauInt} ± {r.TauIntError}");
                break;
            case ErrorStatus.Constant:
                Assert.Equal(0, r.Error);
                Assert.False(r.Reliable, what);
                break;
            default:
                Assert.True(double.IsNaN(r.Error) && double.IsNaN(r.TauInt), what);
                Assert.False(r.Reliable, what);
                break;
        }
    }

    private static void AssertAllHonest(AnalysisResult r)
    {
        foreach (var p in r.Primaries) AssertHonest(p.Result, p.Name);
        foreach (var (k, g) in r.Point.Derived) AssertHonest(g, k);
        for (int t = 0; t < r.Correlator.Correlator.Length; t++) AssertHonest(r.Correlator.Correlator[t], $"G({t})");
        for (int t = 0; t < r.Correlator.EffectiveMass.Length; t++) if (r.Correlator.EffectiveMass[t] is { } m) AssertHonest(m, $"m_eff({t})");
    }

    [Fact]
    public void AnAnticorrelatedHmcObservableGetsASmallWindowAndNoFalseNote()
    {
        // HMC on the free field (Lx = 4, Ly = 12, m² = 0.5), 4 chains of 5·10⁴: M used to get W = 25000 and a false
        // "too few configurations" note on 2·10⁵ measurements.
        using var tmp = new TempDir();
        string dir = Sample(tmp, "hmc", 4, 12, Phi4Couplings.Standard(0.5, 0), 50000, 1000, chains: 4, seed: 11);
        var r = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        var m = r.Point.Primary("M");
        Assert.InRange(m.Window, 1, 20);
        Assert.True(m.Reliable);
        Assert.DoesNotContain(r.Notes, n => n.StartsWith("M:"));
        AssertAllHonest(r);
    }

    [Fact]
    public void AnEffectiveMassOfNoiseIsNeverReportedExact()
    {
        // Metropolis at m² = 8: G̃(4..6) are consistent with zero; m_eff(5) was "3.457 ± 0, reliable".
        using var tmp = new TempDir();
        string dir = Sample(tmp, "metropolis", 4, 16, Phi4Couplings.Standard(8, 0), 40000, 1000);
        var r = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        AssertAllHonest(r);
        Assert.Contains(r.Correlator.EffectiveMass, m => m is { Status: ErrorStatus.Undetermined } || m is { Error: > 0 } && m.Error > 0.3 * m.Value);
    }

    [Fact]
    public void AFrozenChainIsAnalysedWithPlotsAndSaysItDidNotMove()
    {
        // Every trajectory rejected (3 steps over a trajectory of length 30 blow up): analyze crashed in the histogram.
        using var tmp = new TempDir();
        string dir = Sample(tmp, "hmc", 4, 4, Phi4Couplings.Tutorial, 300, 10, hmc: new HmcSettings(TrajectoryLength: 30, Steps: 3, TargetAcceptance: 0));
        var r = RunAnalysis.Analyze([dir], new AnalysisOptions(Pyerrors: true));
        Assert.Equal(ErrorStatus.Constant, r.Point.Primary("M").Status);
        Assert.Contains(r.Notes, n => n.Contains("did not move"));
        Assert.True(File.Exists(Path.Combine(dir, "plots", "histogram_M.png")));
        AssertAllHonest(r);
    }

    [Fact]
    public void FiveConfigurationsGiveNoNegativeTauAndNoReliableFigure()
    {
        using var tmp = new TempDir();
        string dir = Sample(tmp, "hmc", 8, 8, Phi4Couplings.Tutorial, 5, 100);
        var r = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        AssertAllHonest(r);
        Assert.All(r.Primaries, p => Assert.False(p.Result.Reliable));
    }
}
