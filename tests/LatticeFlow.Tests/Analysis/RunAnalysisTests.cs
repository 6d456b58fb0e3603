using System.Text.Json.Nodes;
using LatticeFlow.Analysis;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;
using SkiaSharp;

namespace LatticeFlow.Tests.Analysis;

public class RunAnalysisTests
{
    private static string Run(TempDir tmp, string name, string algorithm, LatticeGeometry g, Phi4Couplings c, long n, long therm = 200, int chains = 2, ulong seed = 3,
        MetropolisSettings? metropolis = null)
    {
        string dir = tmp.Sub(name);
        SampleRun.Execute(new SampleSettings
        {
            Algorithm = algorithm, Geometry = g, Action = c, OutputDirectory = dir, Configurations = n, Thermalization = therm,
            Chains = chains, Seed = seed, Device = "cpu", Metropolis = metropolis ?? new(),
        }, ProgressReporter.Silent, default);
        return dir;
    }

    [Fact]
    public void EndToEndAnalysisJsonHoldsEveryFigureAndThePlotsRenderText()
    {
        using var tmp = new TempDir();
        string dir = Run(tmp, "hmc", "hmc", LatticeGeometry.Square(8), Phi4Couplings.Tutorial, 3000);
        var r = RunAnalysis.Analyze([dir], new AnalysisOptions(Pyerrors: true));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, RunAnalysis.Json)))!;
        string[] figureFields = ["value", "error", "error_of_error", "tau_int", "tau_int_error", "window", "n_eff"];
        foreach (var name in new[] { "M", "absM", "M2", "action_density", "ising_product" })
            foreach (var f in figureFields) Assert.NotNull(json["primary"]![name]![f]);
        foreach (var name in new[] { "absM_per_V", "chi2", "E", "pole_mass", "m_p_L" })
            foreach (var f in figureFields) Assert.NotNull(json["derived"]![name]![f]);
        Assert.Equal(5, json["derived"]!["G_tilde"]!.AsArray().Count);
        Assert.Equal(Actions.Describe(Phi4Couplings.Tutorial), json["action"]!.ToJsonString());
        Assert.Equal((-4.0, 8.0), (json["physics"]!["m2"]!.GetValue<double>(), json["physics"]!["lam"]!.GetValue<double>()));
        Assert.NotNull(json["derived"]!["m_eff"]![1]!["value"]);
        Assert.NotNull(json["derived"]!["plateau"]!["t_first"]);
        Assert.Contains("Wolff", json["method"]!["tau_int_convention"]!.GetValue<string>());
        Assert.Equal(8 * r.Correlator.PoleMass!.Value, r.Correlator.PoleMassTimesL!.Value, 9);

        // pyerrors.input.json.load_json(path) reads gzip by default and takes an Obs's tag as the first element of a list.
        Assert.EndsWith(".json.gz", RunAnalysis.PyerrorsJson);
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(dir, RunAnalysis.PyerrorsJson)), System.IO.Compression.CompressionMode.Decompress);
        var py = JsonNode.Parse(new StreamReader(gz).ReadToEnd())!;
        Assert.Equal("1.0", py["version"]!.GetValue<string>());
        Assert.All(py["obsdata"]!.AsArray(), o => Assert.Single(o!["tag"]!.AsArray()));
        var obs = py["obsdata"]!.AsArray().First(o => o!["tag"]![0]!.GetValue<string>() == "absM")!;
        Assert.All(obs["data"]![0]!["replica"]!.AsArray(), rep => Assert.StartsWith(obs["data"]![0]!["id"]!.GetValue<string>() + "|", rep!["name"]!.GetValue<string>()));
        Assert.Equal(2, obs["data"]![0]!["replica"]!.AsArray().Count);
        Assert.Equal(3000, obs["data"]![0]!["replica"]![0]!["deltas"]!.AsArray().Count);
        Assert.Equal(1, obs["data"]![0]!["replica"]![0]!["deltas"]![0]![0]!.GetValue<int>());

        foreach (var plot in new[] { "rho_absM", "tau_int_M2", "history_M", "histogram_M", "correlator", "effective_mass" })
        {
            Assert.True(File.Exists(Path.Combine(dir, "plots", plot + ".svg")), plot);
            using var bitmap = SKBitmap.Decode(Path.Combine(dir, "plots", plot + ".png"));
            // The title band (top 35 rows, centre) must hold dark text pixels: text was rendered, not just a frame.
            int dark = 0;
            for (int y = 5; y < 35; y++)
                for (int x = bitmap.Width / 4; x < 3 * bitmap.Width / 4; x++)
                {
                    var p = bitmap.GetPixel(x, y);
                    if (p.Red < 100 && p.Green < 100 && p.Blue < 100) dark++;
                }
            Assert.True(dark > 150, $"{plot}: only {dark} dark pixels in the title band");
        }
    }

    /// <summary>
    /// Free field: G̃(t) = Σ_{x1} ⟨φ(x1, t) φ(0)⟩ exactly, and the pole mass from 4 sinh²(m_p/2) = m² (the lattice dispersion
    /// at zero momentum), E = 2 asinh(m/2). Both within 4σ.
    /// </summary>
    [Fact]
    public void FreeFieldCorrelatorAndPoleMassAreExact()
    {
        using var tmp = new TempDir();
        const double m2 = 0.5;
        var g = new LatticeGeometry(4, 12);
        string dir = Run(tmp, "free", "hmc", g, Phi4Couplings.Standard(m2, 0), 8000, chains: 4);
        var r = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        for (int t = 0; t <= g.Ly / 2; t++)
        {
            double exact = Enumerable.Range(0, g.Lx).Sum(dx => FreeField.Propagator(g.Lx, g.Ly, m2, dx, t));
            var c = r.Correlator.Correlator[t];
            Assert.True(Math.Abs(c.Value - exact) < 4 * c.Error, $"G~({t}) = {c.Value} ± {c.Error}, exact {exact}");
        }
        double mp = 2 * Math.Asinh(Math.Sqrt(m2) / 2);
        var pole = r.Correlator.PoleMass!;
        Assert.True(Math.Abs(pole.Value - mp) < 4 * pole.Error, $"m_p = {pole.Value} ± {pole.Error}, exact {mp}");
    }

    [Fact]
    public void RunsOfOnePointCombineAsReplicas()
    {
        using var tmp = new TempDir();
        var g = LatticeGeometry.Square(6);
        string a = Run(tmp, "a", "metropolis", g, Phi4Couplings.Tutorial, 1500, seed: 1);
        string b = Run(tmp, "b", "metropolis", g, Phi4Couplings.Tutorial, 1500, seed: 2);
        var both = RunAnalysis.Analyze([a, b], new AnalysisOptions(Plots: false, OutputDirectory: tmp.Sub("both")));
        Assert.Equal(4, both.Replicas);
        Assert.Equal(6000, both.Chi2.N);
        Assert.Equal("4 replica(s) of 1500 configurations", both.ReplicaSummary);
        // Replicas of different lengths enter whole; the summary says the range and the total, which is every primary's N.
        string shorter = Run(tmp, "s", "metropolis", g, Phi4Couplings.Tutorial, 700, seed: 3);
        var mixed = RunAnalysis.Analyze([a, shorter], new AnalysisOptions(Plots: false, OutputDirectory: tmp.Sub("mixed")));
        Assert.Equal(4400, mixed.Chi2.N);
        Assert.Equal("4 replica(s) of 700 to 1500 configurations (4400 in all)", mixed.ReplicaSummary);
        string other = Run(tmp, "c", "metropolis", g, Phi4Couplings.Standard(-4, 7), 100);
        Assert.Contains("one parameter point", Assert.Throws<InvalidInputException>(() => RunAnalysis.Analyze([a, other], new AnalysisOptions(Plots: false))).Message);
    }

    [Fact]
    public void BadInputIsAClearError()
    {
        using var tmp = new TempDir();
        string dir = Run(tmp, "r", "metropolis", LatticeGeometry.Square(4), Phi4Couplings.Tutorial, 100);
        Directory.CreateDirectory(tmp.Sub("empty"));
        Assert.Contains("not a LatticeFlow run", Assert.Throws<InvalidInputException>(() => RunAnalysis.Analyze([tmp.Sub("empty")], new AnalysisOptions())).Message);
        Assert.Equal(SettingNames.Thermalization, Assert.Throws<InvalidSettingException>(() => RunAnalysis.Analyze([dir], new AnalysisOptions(Thermalization: 100))).Setting);
        Assert.Contains("too few configurations", Assert.Throws<InvalidInputException>(() => RunAnalysis.Analyze([dir], new AnalysisOptions(Thermalization: 97))).Message);

        string csv = RunFiles.Path(dir, RunFiles.Measurements);
        var lines = File.ReadAllLines(csv);
        lines[5] = string.Join(",", lines[5].Split(',').Select((f, i) => i == 4 ? "abc" : f));
        File.WriteAllLines(csv, lines);
        Assert.Contains("line 6: field 5 (abc) is not a number", Assert.Throws<InvalidInputException>(() => RunAnalysis.Analyze([dir], new AnalysisOptions())).Message);
    }

    [Fact]
    public void ARunStillBeingWrittenIsAnalysedAsFarAsItGoes()
    {
        using var tmp = new TempDir();
        string dir = Run(tmp, "r", "hmc", LatticeGeometry.Square(4), Phi4Couplings.Tutorial, 400);
        (RunMeta.Read(dir) with { Status = "running" }).Write(dir);
        File.AppendAllText(RunFiles.Path(dir, RunFiles.Measurements), "400,0,1.5,1.5");
        var r = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        Assert.Equal(400, r.ConfigurationsPerReplica);
        Assert.Contains(r.Notes, n => n.Contains("status \"running\""));
    }

    [Fact]
    public void DriftingStartIsWarnedAbout()
    {
        using var tmp = new TempDir();
        // A hot start (φ ~ N(0, 1), ten times the equilibrium variance) relaxed by tiny Metropolis steps and no
        // thermalisation: the action density falls for a few hundred sweeps.
        string dir = Run(tmp, "hot", "metropolis", LatticeGeometry.Square(16), Phi4Couplings.Standard(1.0, 0.5), 3000, therm: 0, chains: 1,
            metropolis: new MetropolisSettings(Delta: 0.05, TargetAcceptance: 0));
        var r = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false));
        Assert.Contains(r.Notes, n => n.StartsWith("action_density: the first tenth of the history drifts"));
        var cut = RunAnalysis.Analyze([dir], new AnalysisOptions(Plots: false, Thermalization: 1500));
        Assert.DoesNotContain(cut.Notes, n => n.StartsWith("action_density: the first tenth"));
    }
}
