using LatticeFlow.Runs;
using LatticeFlow.Sweeps;

namespace LatticeFlow.Tests.Sweeps;

public class SweepTests
{
    private const string Tiny = """
        {"name": "tiny", "configs": 400, "therm": 100, "chains": 2, "seed": 7,
         "flow": {"layers": 2, "hidden": [4], "max_steps": 20, "target_accept": null},
         "points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 6, "kappa": 0.25, "lam_hop": 0.02}]}
        """;

    [Fact]
    public void PresetsHoldThePapersEnsembles()
    {
        var a = SweepSpec.Preset("albergo2019");
        Assert.Equal([6, 8, 10, 12, 14], a.Points.Select(p => p.L));
        Assert.Equal([6.975, 6.008, 5.550, 5.276, 5.113], a.Points.Select(p => p.Couplings.Lambda));
        Assert.All(a.Points, p => Assert.Equal(-4.0, p.Couplings.M2));
        Assert.Equal([6, 8, 10, 12, 14, 20, 32, 64], SweepSpec.Preset("extended").Points.Select(p => p.L));
        Assert.Contains("unknown preset", Assert.Throws<InvalidInputException>(() => SweepSpec.Preset("nope")).Message);
    }

    [Theory]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}, {"L": 5, "m2": -4, "lam": 8}]}""", "points[1]: Lx = 5")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": -1}]}""", "points[0]: lam = -1")]
    [InlineData("""{"points": [{"L": 4, "m2": -4}]}""", "points[0]: needs \"lam\"")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8, "kappa": 0.2}]}""", "points[0]: give either")]
    [InlineData("""{"points": []}""", "no points")]
    [InlineData("""{"pionts": []}""", "unknown key \"pionts\"")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "algorithms": ["gibbs"]}""", "unknown algorithm \"gibbs\"")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "configs": "many"}""", "\"configs\" must be")]
    [InlineData("""{"points": [ """, "not valid JSON")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"schedule": "linear"}}""", "flow schedule \"linear\"")]
    [InlineData("""{"points": [{"L": 4, "m2": -4, "lam": 8}], "flow": {"symmetrize": "yes"}}""", "\"symmetrize\" must be a boolean")]
    public void MalformedSweepFileSaysWhichEntryAndWhy(string json, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => SweepSpec.Parse(json, "sweep.json"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("sweep.json: ", e.Message);
    }

    /// <summary>flow.symmetrize (default on) reaches the flow runs and the stored sweep file; false turns it off.</summary>
    [Theory]
    [InlineData("", true)]
    [InlineData(", \"symmetrize\": false", false)]
    public void FlowSweepsSymmetrizeTheirRunsUnlessTold(string key, bool expected)
    {
        var spec = SweepSpec.Parse(Tiny.Replace("\"max_steps\": 20", "\"max_steps\": 20" + key), "tiny.json") with { Algorithms = ["flow"] };
        spec = spec with { Points = [spec.Points[0]] };
        Assert.Equal(expected, spec.Flow.Symmetrize);
        Assert.Contains($"\"symmetrize\": {(expected ? "true" : "false")}", spec.ToJson());
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        Assert.True(SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));
        var run = Directory.GetDirectories(outDir, "flow-r0", SearchOption.AllDirectories).Single();
        Assert.Equal(expected, RunMeta.Read(run).Algorithm["symmetrize"].GetBoolean());
    }

    /// <summary>
    /// "fields": false leaves no fields.npy but the measurements the summary needs; a sweep directory from before the key
    /// (which saved fields) continues under the default.
    /// </summary>
    [Theory]
    [InlineData("", true)]
    [InlineData("\"fields\": false, ", false)]
    public void SweepsSaveFieldsUnlessTold(string key, bool expected)
    {
        var spec = SweepSpec.Parse(Tiny.Replace("\"seed\": 7,", "\"seed\": 7, " + key), "tiny.json") with { Algorithms = ["hmc"] };
        spec = spec with { Points = [spec.Points[0]] };
        Assert.Equal(expected, spec.Budget.SaveFields);
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        Directory.CreateDirectory(outDir);
        var stored = System.Text.Json.Nodes.JsonNode.Parse(spec.ToJson())!;
        stored.AsObject().Remove("fields");
        File.WriteAllText(Path.Combine(outDir, "sweep.json"), stored.ToJsonString());
        if (!expected)
        {
            Assert.Contains("other settings", Assert.Throws<InvalidInputException>(() =>
                SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default)).Message);
            File.Delete(Path.Combine(outDir, "sweep.json"));
        }
        Assert.True(SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));
        string run = SweepRunner.RunDirectory(outDir, spec.Points[0], "hmc", 0);
        Assert.Equal(expected, File.Exists(Path.Combine(run, RunFiles.Fields)));
        Assert.True(File.Exists(Path.Combine(run, RunFiles.Measurements)));
        Assert.Equal(800, SweepSummary.Aggregate(outDir).Single().Configurations);  // 400 per chain, 2 chains
    }

    /// <summary>A sweep directory from before flow.symmetrize (plain proposals) continues with "symmetrize": false, not with the new default.</summary>
    [Fact]
    public void ASweepFromBeforeSymmetrizeContinuesOnlyWithPlainProposals()
    {
        using var tmp = new TempDir();
        string outDir = tmp.Sub("sweep");
        var plain = SweepSpec.Parse(Tiny.Replace("\"max_steps\": 20", "\"max_steps\": 20, \"symmetrize\": false"), "tiny.json") with { Algorithms = ["hmc"] };
        Directory.CreateDirectory(outDir);
        var old = System.Text.Json.Nodes.JsonNode.Parse(plain.ToJson())!;
        old["flow"]!.AsObject().Remove("symmetrize");
        File.WriteAllText(Path.Combine(outDir, "sweep.json"), old.ToJsonString());
        var e = Assert.Throws<InvalidInputException>(() => SweepRunner.Run(plain with { Flow = plain.Flow with { Symmetrize = true } },
            new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));
        Assert.Contains("other settings", e.Message);
        Assert.True(SweepRunner.Run(plain, new SweepOptions(outDir, "cpu"), new StringWriter(), () => ProgressReporter.Silent, default));
    }

    [Fact]
    public void LocalSweepSummarisesResumesAndRefusesAChangedFile()
    {
        using var tmp = new TempDir();
        var spec = SweepSpec.Parse(Tiny, "tiny.json");
        string outDir = tmp.Sub("sweep");
        var log = new StringWriter();
        Assert.True(SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), log, () => ProgressReporter.Silent, default));
        var rows = SweepSummary.Aggregate(outDir);
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.Equal(800, r.Configurations));
        Assert.All(rows, r => Assert.True(r.Chi2.Error > 0 && r.Chi2.TauInt >= 0.5 - 1e-9 && r.SecondsPerIndependent > 0));
        Assert.All(rows.Where(r => r.Algorithm == "flow"), r => Assert.Equal(20, r.TrainingSteps));
        // Hopping-form points are converted: m² = (1 − 2λ_h)/κ − 4, λ = λ_h/κ².
        Assert.Equal((1 - 2 * 0.02) / 0.25 - 4, rows.First(r => r.L == 6).M2, 12);
        var csv = File.ReadAllLines(Path.Combine(outDir, "summary.csv"));
        Assert.Equal(7, csv.Length);
        Assert.Contains("tau_chi2", csv[0]);
        Assert.Contains("mpL", csv[0]);
        Assert.True(File.Exists(Path.Combine(outDir, "plots", "mpL_vs_L.png")));
        Assert.True(new FileInfo(Path.Combine(outDir, "plots", "tau_vs_L_chi2.png")).Length > 10_000);
        Assert.True(File.Exists(Path.Combine(outDir, "plots", "cost_vs_L.svg")));

        // Re-running skips what is done, with identical ensembles.
        byte[] before = File.ReadAllBytes(Path.Combine(SweepRunner.RunDirectory(outDir, spec.Points[0], "hmc", 0), RunFiles.Fields));
        var again = new StringWriter();
        Assert.True(SweepRunner.Run(spec, new SweepOptions(outDir, "cpu"), again, () => ProgressReporter.Silent, default));
        Assert.Equal(8, again.ToString().Split('\n').Count(l => l.Contains("done before")));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(SweepRunner.RunDirectory(outDir, spec.Points[0], "hmc", 0), RunFiles.Fields)));

        var changed = spec with { Budget = spec.Budget with { Configurations = 500 } };
        Assert.Contains("other settings", Assert.Throws<InvalidInputException>(() =>
            SweepRunner.Run(changed, new SweepOptions(outDir, "cpu"), TextWriter.Null, () => ProgressReporter.Silent, default)).Message);
    }

    [Fact]
    public void DynamicExponentFitRecoversAPowerLaw()
    {
        double[] l = [6, 8, 10, 12, 14];
        var tau = l.Select(x => 0.3 * Math.Pow(x, 2.1)).ToArray();
        var fit = DynamicExponent.Fit(l, tau, tau.Select(t => 0.05 * t).ToArray());
        Assert.Equal(2.1, fit.Z, 10);
        Assert.Equal(0.3, fit.Amplitude, 10);
        Assert.True(fit.ZError > 0);
    }

    /// <summary>
    /// Scatter beyond the error bars (χ²/dof &gt; 1) widens z's error by √(χ²/dof): the same as refitting with the errors
    /// widened until χ²/dof = 1. Error bars larger than the scatter are not shrunk.
    /// </summary>
    [Fact]
    public void ExponentErrorGrowsWithTheScatterBeyondTheErrorBars()
    {
        double[] l = [6, 8, 10, 12, 14, 20];
        var tau = l.Select((x, i) => 0.3 * Math.Pow(x, 2.1) * (i % 2 == 0 ? 1.15 : 0.87)).ToArray();
        var errors = tau.Select(t => 0.02 * t).ToArray();
        var fit = DynamicExponent.Fit(l, tau, errors);
        Assert.True(fit.ChiSquaredPerDof > 10, $"chi2/dof {fit.ChiSquaredPerDof}");
        double c = Math.Sqrt(fit.ChiSquaredPerDof);
        var widened = DynamicExponent.Fit(l, tau, errors.Select(e => e * c).ToArray());
        Assert.Equal(1.0, widened.ChiSquaredPerDof, 9);
        Assert.Equal(widened.ZError, fit.ZError, 12);
        Assert.Equal(widened.Z, fit.Z, 12);
        var generous = DynamicExponent.Fit(l, tau, errors.Select(e => e * 10 * c).ToArray());
        Assert.Equal(10 * widened.ZError, generous.ZError, 9);
        Assert.True(double.IsNaN(DynamicExponent.Fit([6, 8], [1, 2], [0.1, 0.2]).ChiSquaredPerDof));
    }

    /// <summary>A size whose τ_int is unreliable (too few data, or heavy-tailed flow weights) must not pull the fitted z.</summary>
    [Fact]
    public void UnreliableSizesStayOutOfTheExponentFit()
    {
        static Estimate E(double tau, bool reliable) => new(1, 0.1, tau, 0.05 * tau, reliable);
        SweepRow Row(int l, double tau, bool reliable, double? paretoK) => new()
        {
            Point = l, L = l, M2 = -4, Lambda = 6, Algorithm = "flow", Replicas = 1, Configurations = 1000, Acceptance = 0.3,
            AbsMagnetization = E(tau, reliable), Chi2 = E(tau, reliable), IsingEnergy = E(tau, reliable),
            Primaries = SweepSummary.PrimaryObservables.ToDictionary(p => p, _ => E(tau, reliable)),
            SecondsPerConfiguration = 1e-3, SecondsPerIndependent = 2e-3 * tau, ParetoK = paretoK, ParetoThreshold = 0.7,
        };
        var rows = new List<SweepRow>
        {
            Row(6, 0.3 * Math.Pow(6, 2.1), true, 0.5), Row(8, 0.3 * Math.Pow(8, 2.1), true, 0.5), Row(10, 0.3 * Math.Pow(10, 2.1), true, 0.6),
            Row(12, 1000, false, 0.6), Row(14, 1000, true, 0.8),
        };
        var fit = SweepSummary.Fits(rows)["flow/chi2"];
        Assert.Equal(2.1, fit.Z, 8);
        Assert.Equal(3, fit.Points);
        Assert.Equal(2, fit.Excluded);
    }
}
