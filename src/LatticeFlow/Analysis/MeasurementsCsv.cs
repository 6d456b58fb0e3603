using LatticeFlow.Sampling;
using LatticeFlow.Files;

namespace LatticeFlow.Analysis;

/// <summary>
/// measurements.csv: one row per configuration and chain, columns
/// config,chain,M,absM,M2,action_density,ising_product,accept_rate,delta_H and then the algorithm's own
/// (the flow sampler adds log_p_minus_log_q of the current configuration); delta_H is empty where the
/// algorithm has none.
/// </summary>
public static class MeasurementsCsv
{
    public const string Header = "config,chain,M,absM,M2,action_density,ising_product,accept_rate,delta_H";

    public static string HeaderWith(IReadOnlyList<string> extra) => extra.Count == 0 ? Header : Header + "," + string.Join(",", extra);

    public static void Append(CsvLog log, long config, int chain, in ConfigurationMeasurement m, double acceptance, double? deltaH, ReadOnlySpan<double> extra)
    {
        log.Add(config).Add(chain).Add(m.M).Add(m.AbsM).Add(m.M2).Add(m.ActionDensity).Add(m.IsingProduct).Add(acceptance);
        if (deltaH is double d) log.Add(d);
        else log.Empty();
        foreach (double e in extra) log.Add(e);
        log.EndRow();
    }
}

/// <summary>
/// proposals.csv (flow runs): every proposal of the production phase, one row per update and chain:
/// update,chain,log_w,M,absM,M2,action_density,ising_product,accepted, with log_w = log p − log q = −S − log q.
/// The chain's own measurements come from the accepted ones; all of them together give the reweighting
/// (importance-sampling) estimator, an independent check of the Markov chain.
/// </summary>
public static class ProposalsCsv
{
    public const string File = "proposals.csv";
    public const string Header = "update,chain,log_w,M,absM,M2,action_density,ising_product,accepted";

    public static void Append(CsvLog log, long update, int chain, double logW, in ConfigurationMeasurement m, bool accepted)
    {
        log.Add(update).Add(chain).Add(logW).Add(m.M).Add(m.AbsM).Add(m.M2).Add(m.ActionDensity).Add(m.IsingProduct).Add(accepted ? 1L : 0L);
        log.EndRow();
    }
}
