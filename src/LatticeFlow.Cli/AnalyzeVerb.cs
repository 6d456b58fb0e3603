using System.Globalization;
using CommandLine;
using LatticeFlow.Analysis;

namespace LatticeFlow.Cli;

[Verb("analyze", HelpText = "Gamma-method analysis of run directories (one parameter point; runs and chains combine as replicas): table, analysis.json, plots.")]
public sealed class AnalyzeVerb : IVerb
{
    [Value(0, MetaName = "runs", Required = true, HelpText = "Run directories of one parameter point.")] public IEnumerable<string> Runs { get; set; } = [];
    [Option("window-s", HelpText = "Wolff's S of the automatic window."), Setting(SettingNames.WindowS)] public double? S { get; set; }
    [Option("therm", HelpText = "Configurations to drop at the start of every chain."), Setting(SettingNames.Thermalization)] public long? Therm { get; set; }
    [Option("bin", HelpText = "Average blocks of this many configurations first (the Gamma method does not need it)."), Setting(SettingNames.Bin)] public int? Bin { get; set; }
    [Option("out", MetaValue = "DIR", HelpText = "Where analysis.json and plots/ go (default: the first run directory)."), Setting(SettingNames.OutputDirectory)] public string? Out { get; set; }
    [Option("pyerrors", HelpText = "Also write analysis_pyerrors.json.gz for pyerrors.input.json.load_json.")] public bool Pyerrors { get; set; }

    private const int MaxCorrelatorRows = 33;
    // AnalysisOptions holds the defaults.
    private static readonly AnalysisOptions Default = new();

    public IReadOnlyDictionary<string, object?> Defaults => new Dictionary<string, object?>
    {
        [SettingNames.WindowS] = Default.S, [SettingNames.Thermalization] = Default.Thermalization, [SettingNames.Bin] = Default.Bin,
    };

    public int Run()
    {
        // Nothing is written before the analysis has succeeded; an output that cannot be a directory is refused first.
        if (Out is not null && File.Exists(Out)) throw new InvalidSettingException(SettingNames.OutputDirectory, Out, "is a file");
        var options = Default with { S = S ?? Default.S, Thermalization = Therm ?? Default.Thermalization, Bin = Bin ?? Default.Bin, OutputDirectory = Out, Pyerrors = Pyerrors };
        var r = RunAnalysis.Analyze([.. Runs], options);
        double s = options.S;
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"{r.Algorithm} on {r.Lattice}, {RunSummary.Couplings(r.Action, " = ")}: {r.ReplicaSummary}");
        Console.WriteLine($"Gamma method, S = {s.ToString(c)}; tau_int in Wolff's convention 1/2 + sum rho (emcee's tau is twice this)");
        Console.WriteLine($"{"observable",-22} {"mean",14} {"error",12} {"tau_int",18} {"W",5} {"N_eff",10}");
        void Row(string name, GammaResult g) => Console.WriteLine(string.Create(c,
            $"{name,-22} {g.Value,14:G6} {Figures.Error(g),12} {Figures.TauInt(g),18} {g.Window,5} {Figures.NEff(g),10}{Figures.Caveat(g)}"));
        foreach (var p in r.Primaries) Row(p.Name, p.Result);
        Console.WriteLine("derived:");
        Row("<|M|>/V", r.AbsMagnetization);
        Row("chi2", r.Chi2);
        Row("E (Ising)", r.IsingEnergy);
        // A long time extent would print thousands of rows: the first ones are what a reader checks; analysis.json has all.
        int shown = Math.Min(r.Correlator.Correlator.Length, MaxCorrelatorRows);
        for (int t = 0; t < shown; t++) Row($"G~({t})", r.Correlator.Correlator[t]);
        for (int t = 0; t < Math.Min(r.Correlator.EffectiveMass.Length, MaxCorrelatorRows); t++)
            if (r.Correlator.EffectiveMass[t] is GammaResult m) Row($"m_eff({t})", m);
        if (shown < r.Correlator.Correlator.Length) Console.WriteLine($"(G~(t) and m_eff(t) for t > {shown - 1} are in {RunAnalysis.Json})");
        if (r.Correlator.PoleMass is GammaResult mp && r.Correlator.Plateau is Plateau pl)
        {
            Row($"m_p (t={pl.First}..{pl.Last})", mp);
            Row("m_p L", r.Correlator.PoleMassTimesL!);
        }
        if (r.Flow is FlowRunReport f)
        {
            var a = f.Acceptance;
            Console.WriteLine(string.Create(c, $"flow MH: acceptance {a.Acceptance:F3}; tau_int from the accept history (Albergo et al. eq. 16) {(double.IsFinite(a.TauIntFromAcceptance) ? $"{a.TauIntFromAcceptance:F2} ± {a.TauIntFromAcceptanceError:F2}" : "undetermined (too few acceptances)")}, bound 1/a - 1/2 = {a.TauIntLowerBound:F2}; longest rejection run {a.LongestRejectionRun} (in a chain of {a.ChainProposals}); Pareto k of the weights {f.ParetoK:F2} (unreliable above {f.ParetoThreshold:F2})"));
            Console.WriteLine(string.Create(c, $"reweighting (all proposals, ESS per proposal {f.Chi2.EssPerSample:F3}): <|M|>/V {f.AbsMagnetization.Value:G6} ± {f.AbsMagnetization.Error:G3}, chi2 {f.Chi2.Value:G6} ± {f.Chi2.Error:G3}, E {f.IsingEnergy.Value:G6} ± {f.IsingEnergy.Error:G3}"));
        }
        foreach (var n in r.Notes) Console.WriteLine($"note: {n}");
        Console.WriteLine($"wrote {Path.Combine(r.OutputDirectory, RunAnalysis.Json)}{(Pyerrors ? $", {Path.Combine(r.OutputDirectory, RunAnalysis.PyerrorsJson)}" : "")} and plots in {Path.Combine(r.OutputDirectory, "plots")}");
        return 0;
    }
}
