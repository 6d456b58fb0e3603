using System.Text.Json.Nodes;
using LatticeFlow.Files;
using LatticeFlow.Flows;

namespace LatticeFlow.Analysis;

/// <summary>
/// What a flow Metropolis–Hastings run says about itself: acceptance, rejection runs, the acceptance-based
/// τ_int (Albergo et al. 2019, eq. 16) beside the bound 1/a − ½, the reweighting estimates of the
/// observables (<see cref="DerivedQuantities.Bulk"/>) from all proposals, the independent check of the chain, the
/// Pareto k̂ of the weights p/q, which says whether either can be trusted (<see cref="ParetoTail"/>), and how many
/// proposals had no computable weight (non-finite log q or action: rejected, and without weight in the reweighting).
/// </summary>
/// <param name="Reweighted">By <see cref="DerivedQuantity.Key"/>.</param>
public sealed record FlowRunReport(AcceptanceStatistics Acceptance, IReadOnlyDictionary<string, ReweightedEstimate> Reweighted,
    double ParetoK, double ParetoThreshold, long Proposals, long NonFinite)
{
    /// <summary>Weights too heavy-tailed for flow MH or reweighting errors to mean anything (k̂ above the threshold).</summary>
    public bool HeavyTailed => ParetoK > ParetoThreshold;

    public string HeavyTailNote => FormattableString.Invariant(
        $"the flow's weights p/q are heavy-tailed (Pareto k = {ParetoK:F2} > {ParetoThreshold:F2}, Vehtari et al. arXiv:1507.02646): a few rare proposals dominate, so flow MH and reweighting errors (and tau_int) are unreliable however long the window looks; train the flow further");

    /// <summary>The chain held one configuration too long for its errors (<see cref="AcceptanceStatistics.IsSticky"/>).</summary>
    public bool Sticky => Acceptance.Sticky;

    public string StickyNote => AcceptanceStatistics.StickyNote(Acceptance.LongestRejectionRun, Acceptance.ChainProposals);

    public string NonFiniteNote => FormattableString.Invariant(
        $"{NonFinite} of {Proposals} proposals ({100.0 * NonFinite / Math.Max(1, Proposals):G3} %) had a non-finite log q or action (the flow overflows there): they were rejected and carry no weight; the chain stays exact, but the flow needs retraining (e.g. a smaller learning rate or gradient clipping)");

    public ReweightedEstimate AbsMagnetization => Reweighted[DerivedQuantities.AbsMagnetizationDensity.Key];
    public ReweightedEstimate Chi2 => Reweighted[DerivedQuantities.Chi2.Key];
    public ReweightedEstimate IsingEnergy => Reweighted[DerivedQuantities.IsingEnergy.Key];

    /// <summary>The report of the run in <paramref name="dir"/> from its proposals.csv.</summary>
    /// <exception cref="InvalidInputException">No proposals.csv, or rows that cannot be placed.</exception>
    public static FlowRunReport Compute(string dir, double volume)
    {
        var t = MeasurementTable.Load(dir, 0, ProposalsCsv.File, "update");
        var accepted = t.Column("accepted").Select(c => c.Select(x => x > 0).ToArray()).ToArray();
        double[] All(string column) => [.. t.Column(column).SelectMany(c => c)];
        var logW = All("log_w");
        long nonFinite = logW.LongCount(l => !ImportanceWeights.Usable(l));
        var reweighted = DerivedQuantities.Bulk.ToDictionary(q => q.Key, q => Reweighting.Estimate(logW, [.. q.Primaries.Select(All)], q.At(volume)));
        return new FlowRunReport(AcceptanceHistory.Analyze(accepted), reweighted, ParetoTail.Shape(logW), ParetoTail.Threshold(logW.Length), logW.Length, nonFinite);
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
            ["longest_rejection_run"] = a.LongestRejectionRun,
            ["longest_rejection_run_chain_proposals"] = a.ChainProposals,
            ["sticky"] = a.Sticky,
            ["sticky_convention"] = $"sticky: the chain whose longest rejection run R is the largest fraction of its length has fewer than {GammaResult.MinimumLength} R proposals (R rejections in a row mean tau_exp of order R or more, Liu 1996)",
            ["pareto_k"] = N(ParetoK),
            ["pareto_k_threshold"] = N(ParetoThreshold),
            ["pareto_k_convention"] = "shape of a generalised Pareto fit to the largest weights p/q (PSIS, Vehtari et al. arXiv:1507.02646); above the threshold flow MH and reweighting errors are unreliable",
            ["proposals"] = Proposals,
            ["non_finite_proposals"] = NonFinite,
            ["rejection_runs"] = new JsonObject(a.RejectionRuns.Select(kv => KeyValuePair.Create(kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
            ["reweighted"] = new JsonObject(Reweighted.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Est(kv.Value)))),
        };
    }
}
