using System.Text.Json.Nodes;
using LatticeFlow.Files;
using LatticeFlow.Runs;

namespace LatticeFlow.Analysis;

/// <summary>
/// What a flow Metropolis–Hastings run says about itself: acceptance, rejection runs, the acceptance-based
/// τ_int (Albergo et al. 2019, eq. 16) beside the bound 1/a − ½, the reweighting estimates of the
/// observables from all proposals, the independent check of the chain, and the Pareto k̂ of the weights p/q,
/// which says whether either can be trusted (<see cref="ParetoTail"/>).
/// </summary>
public sealed record FlowRunReport(AcceptanceStatistics Acceptance, ReweightedEstimate AbsMagnetization, ReweightedEstimate Chi2, ReweightedEstimate IsingEnergy,
    double ParetoK, double ParetoThreshold)
{
    /// <summary>Weights too heavy-tailed for flow MH or reweighting errors to mean anything (k̂ above the threshold).</summary>
    public bool HeavyTailed => ParetoK > ParetoThreshold;

    public string HeavyTailNote => FormattableString.Invariant(
        $"the flow's weights p/q are heavy-tailed (Pareto k = {ParetoK:F2} > {ParetoThreshold:F2}, Vehtari et al. arXiv:1507.02646): a few rare proposals dominate, so flow MH and reweighting errors (and tau_int) are unreliable however long the window looks; train the flow further");

    public static FlowRunReport Compute(string dir, double volume)
    {
        var t = MeasurementTable.Load(dir, 0, ProposalsCsv.File, "update");
        var accepted = t.Column("accepted").Select(c => c.Select(x => x > 0).ToArray()).ToArray();
        double[] All(string column) => [.. t.Column(column).SelectMany(c => c)];
        var logW = All("log_w");
        double[] absM = All("absM"), m = All("M"), m2 = All("M2"), nn = All("ising_product");
        return new FlowRunReport(
            AcceptanceHistory.Analyze(accepted),
            Reweighting.Estimate(logW, [absM], a => a[0] / volume),
            Reweighting.Estimate(logW, [m2, m], a => (a[0] - a[1] * a[1]) / volume),
            Reweighting.Estimate(logW, [nn, m], a => a[0] - a[1] * a[1] / (volume * volume)),
            ParetoTail.Shape(logW), ParetoTail.Threshold(logW.Length));
    }

    public JsonObject ToJson()
    {
        static JsonNode? N(double x) => JsonFiles.Number(x);
        static JsonObject Est(ReweightedEstimate e) => new() { ["value"] = N(e.Value), ["error"] = N(e.Error), ["ess_per_proposal"] = N(e.EssPerSample), ["proposals"] = e.N };
        var a = Acceptance;
        return new JsonObject
        {
            ["acceptance"] = N(a.Acceptance),
            ["tau_int_from_acceptance"] = N(a.TauIntFromAcceptance),
            ["tau_int_from_acceptance_error"] = N(a.TauIntFromAcceptanceError),
            ["tau_int_convention"] = "Wolff: 1/2 + sum_t rho(t); rho(t) = fraction of t consecutive rejections (Albergo et al. 2019, eq. 16)",
            ["tau_int_lower_bound"] = N(a.TauIntLowerBound),
            ["mean_rejection_run"] = N(a.MeanRejectionRun),
            ["pareto_k"] = N(ParetoK),
            ["pareto_k_threshold"] = N(ParetoThreshold),
            ["pareto_k_convention"] = "shape of a generalised Pareto fit to the largest weights p/q (PSIS, Vehtari et al. arXiv:1507.02646); above the threshold flow MH and reweighting errors are unreliable",
            ["rejection_runs"] = new JsonObject(a.RejectionRuns.Select(kv => KeyValuePair.Create(kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
            ["reweighted"] = new JsonObject
            {
                ["absM_per_V"] = Est(AbsMagnetization),
                ["chi2"] = Est(Chi2),
                ["ising_energy"] = Est(IsingEnergy),
            },
        };
    }
}
