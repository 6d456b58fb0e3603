using System.Globalization;
using LatticeFlow.Analysis;
using LatticeFlow.Runs;

namespace LatticeFlow.Cli;

/// <summary>The few lines printed at the end of a `sample` run.</summary>
public static class RunSummary
{
    /// <summary>φ⁴'s couplings as "m2=-4, lam=8" (with <paramref name="equals"/> between name and value); another action's record.</summary>
    public static string Couplings(LatticeFlow.Physics.IActionParameters action, string equals) => action is LatticeFlow.Physics.Phi4Couplings p
        ? string.Create(CultureInfo.InvariantCulture, $"m2{equals}{p.M2}, lam{equals}{p.Lambda}")
        : LatticeFlow.Physics.Actions.Describe(action);

    public static string Format(SampleResult r, SampleSettings s)
    {
        var c = CultureInfo.InvariantCulture;
        string settings = string.Join(", ", r.AlgorithmSettings.Where(kv => kv.Key != "name")
            .Select(kv => $"{kv.Key}={(kv.Value is double d ? d.ToString("G4", c) : kv.Value)}"));
        double perConfig = r.SamplingSeconds / Math.Max(1, r.Configurations);
        return string.Join(Environment.NewLine,
            $"{(r.Completed ? "done" : "interrupted (resume with --resume)")}: {r.Algorithm} on {s.Geometry} ({Couplings(s.Action, "=")}), {s.Chains} chain(s), device {r.Device}",
            $"  configurations {r.Configurations}/{s.Configurations} (every {s.SaveEvery} update(s)), acceptance {r.MeanAcceptance.ToString("F3", c)}",
            $"  {settings}",
            $"  time: thermalisation {r.ThermalizationSeconds.ToString("F1", c)} s, sampling {r.SamplingSeconds.ToString("F1", c)} s ({(perConfig * 1e3).ToString("G3", c)} ms per configuration)",
            $"  wrote {r.Directory}/ (meta.json, measurements.csv, timeslices.npy{(s.SaveFields ? ", fields.npy" : "")}, checkpoint.bin); analyse with: latticeflow analyze {r.Directory}");
    }

    /// <summary>
    /// ⟨|M|⟩/V, χ₂ = (⟨M²⟩ − ⟨M⟩²)/V and E = ⟨ising_product⟩ − ⟨M⟩²/V² with Γ-method errors (chains as replicas),
    /// and τ_int of the primaries, in Wolff's convention.
    /// </summary>
    public static string Observables(string dir)
    {
        var c = CultureInfo.InvariantCulture;
        var run = RunData.Load(dir, correlator: false);
        var point = PointAnalysis.Analyze([run], new PointAnalysisOptions(Correlator: false));
        string Line(string name, GammaResult r) =>
            $"  {name,-14} {r.Value.ToString("G6", c),12} ± {Figures.Error(r, "G2"),-8}  tau_int {Figures.TauInt(r)}{Figures.Caveat(r)}";
        var lines = new List<string> { "  observables (Gamma method, S = 1.5; tau_int in Wolff's convention 1/2 + sum rho, emcee's is twice this):" };
        foreach (var q in DerivedQuantities.Bulk) lines.Add(Line(Label(q), point.Derived[q.Key]));
        lines.Add(Line("S/V", point.Primary("action_density")));
        if (run.Meta.Flow is System.Text.Json.Nodes.JsonObject flow)
        {
            double G(string k) => flow[k]?.GetValue<double>() ?? double.NaN;
            string F(string k, string format) => double.IsFinite(G(k)) ? G(k).ToString(format, c) : "undetermined";
            long nonFinite = run.Meta.NonFiniteProposals ?? 0, proposals = run.Meta.Proposals ?? 0;
            string? error = flow[RunMeta.FlowReportError]?.GetValue<string>();
            lines.Add(error is not null
                ? $"  flow MH: non-finite proposals {nonFinite}; the flow report could not be computed: {error}"
                : $"  flow MH: acceptance {G("acceptance").ToString("F3", c)}, tau_int from the accept history (eq. 16) {(double.IsFinite(G("tau_int_from_acceptance")) ? $"{F("tau_int_from_acceptance", "F2")} ± {F("tau_int_from_acceptance_error", "F2")}" : "undetermined (too few acceptances)")} (bound 1/a - 1/2 = {F("tau_int_lower_bound", "F2")}), mean rejection run {F("mean_rejection_run", "F2")}, longest {(flow["longest_rejection_run"] is { } longest ? $"{longest} (in a chain of {flow["longest_rejection_run_chain_proposals"]})" : "undetermined")}, Pareto k of the weights {F("pareto_k", "F2")}, non-finite proposals {nonFinite}");
            if (nonFinite > 0)
                lines.Add($"  warning: {nonFinite} of {proposals} proposals ({(100.0 * nonFinite / Math.Max(1, proposals)).ToString("G3", c)} %) had a log q or action that is not finite (the flow overflows); all were rejected, and proposals.csv holds them as nan or inf");
            if (error is not null) return string.Join(Environment.NewLine, lines);
            if (G("pareto_k") > G("pareto_k_threshold")) // false where k is missing (NaN): too few proposals to fit a tail
                lines.Add($"  warning: Pareto k {G("pareto_k").ToString("F2", c)} > {G("pareto_k_threshold").ToString("F2", c)}: the flow's weights are heavy-tailed; flow MH and reweighting errors are unreliable (train the flow further)");
            if (flow["sticky"]?.GetValue<bool>() == true)
                lines.Add($"  warning: {AcceptanceStatistics.StickyNote(flow["longest_rejection_run"]!.GetValue<long>(), flow["longest_rejection_run_chain_proposals"]!.GetValue<long>())}");
            foreach (var q in DerivedQuantities.Bulk)
            {
                if (flow["reweighted"]?[q.Key] is not System.Text.Json.Nodes.JsonNode e) continue;
                double R(string k) => e[k]?.GetValue<double>() ?? double.NaN;
                lines.Add($"  reweighted {Label(q),-10} {R("value").ToString("G6", c),12} ± {R("error").ToString("G2", c),-8}  (ESS per proposal {R("ess_per_proposal").ToString("F3", c)})");
            }
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static string Label(DerivedQuantity q) => q.Key switch { "absM_per_V" => "<|M|>/V", "E" => "E (Ising)", var k => k };
}
