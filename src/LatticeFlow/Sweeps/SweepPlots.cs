using ScottPlot;

namespace LatticeFlow.Sweeps;

/// <summary>
/// The sweep's figures (PNG and SVG): τ_int against L on log–log axes per observable, one series per algorithm
/// with error bars and the fitted z in the legend (Albergo et al. 2019, Fig. 5); and the cost per effectively
/// independent configuration against L, with and without the flow's training.
/// </summary>
public static class SweepPlots
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["chi2"] = "χ₂", ["absM_per_V"] = "⟨|M|⟩/V", ["E"] = "Ising energy E", ["absM"] = "|M|", ["M2"] = "M²",
        ["action_density"] = "S/V", ["ising_product"] = "nearest-neighbour product",
    };

    public static void Write(string dir, IReadOnlyList<SweepRow> rows)
    {
        if (rows.Count == 0) return;
        Directory.CreateDirectory(dir);
        var fits = SweepSummary.Fits(rows);
        double[] sizes = [.. rows.Select(r => (double)r.L).Distinct().Order()];
        foreach (var (observable, label) in Labels)
        {
            var plot = LogLog($"τ_int of {label} against L", "L", "τ_int (Wolff: ½ + Σρ)", sizes);
            foreach (var group in rows.GroupBy(r => r.Algorithm))
            {
                var pts = group.OrderBy(r => r.L).Where(r => r.Tau(observable).TauInt > 0).ToList();
                if (pts.Count == 0) continue;
                string legend = fits.TryGetValue($"{group.Key}/{observable}", out var fit)
                    ? FormattableString.Invariant($"{group.Key}: {fit.Describe()}{(fit.Excluded > 0 ? $" ({fit.Points} of {fit.Points + fit.Excluded} sizes)" : "")}") : group.Key;
                AddSeries(plot, pts.Select(r => (double)r.L), pts.Select(r => r.Tau(observable).TauInt), pts.Select(r => r.Tau(observable).TauIntError), legend);
            }
            Save(plot, Path.Combine(dir, $"tau_vs_L_{observable}"));
        }

        var mpl = new Plot();
        mpl.Title("m_p·L against L (the paper's ensembles hold it near 4)");
        mpl.XLabel("L");
        mpl.YLabel("m_p·L");
        foreach (var group in rows.GroupBy(r => r.Algorithm))
        {
            var pts = group.Where(r => r.PoleMassTimesL is not null).OrderBy(r => r.L).ToList();
            if (pts.Count == 0) continue;
            double[] x = [.. pts.Select(r => (double)r.L)], y = [.. pts.Select(r => r.PoleMassTimesL!.Value)];
            var sc = mpl.Add.Scatter(x, y);
            sc.LegendText = group.Key;
            var eb = mpl.Add.ErrorBar(x, y, [.. pts.Select(r => r.PoleMassTimesL!.Error)]);
            eb.Color = sc.Color;
        }
        mpl.ShowLegend(Alignment.UpperLeft);
        Save(mpl, Path.Combine(dir, "mpL_vs_L"));

        var cost = LogLog("Cost per effectively independent configuration", "L", "seconds (2 τ_int,max × seconds per configuration)", sizes);
        foreach (var group in rows.GroupBy(r => r.Algorithm))
        {
            var pts = group.OrderBy(r => r.L).ToList();
            AddSeries(cost, pts.Select(r => (double)r.L), pts.Select(r => r.SecondsPerIndependent), null, group.Key);
            if (group.Key == "flow" && pts.All(r => r.TrainingSeconds is not null))
                AddSeries(cost, pts.Select(r => (double)r.L),
                    pts.Select(r => r.SecondsPerIndependent + r.TrainingSeconds!.Value / Math.Max(1, r.Configurations / Math.Max(1, 2 * r.Tau("chi2").TauInt))),
                    null, "flow incl. training (amortised over this run)");
        }
        Save(cost, Path.Combine(dir, "cost_vs_L"));
    }

    /// <summary>Log–log axes: the y axis with decades and log minor ticks, the x axis with a tick at every lattice size.</summary>
    private static Plot LogLog(string title, string x, string y, double[] sizes)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x + " (log scale)");
        plot.YLabel(y + " (log scale)");
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => Math.Pow(10, v).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture),
        };
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double l in sizes) ticks.AddMajor(Math.Log10(l), l.ToString(System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        double lo = Math.Log10(sizes[0]), hi = Math.Log10(sizes[^1]), pad = Math.Max(0.05, 0.08 * (hi - lo));
        plot.Axes.SetLimitsX(lo - pad, hi + pad);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Plots log10 of the values, as the log axes' tick labels expect; errors become δ log10 y = δy / (y ln 10).</summary>
    private static void AddSeries(Plot plot, IEnumerable<double> xs, IEnumerable<double> ys, IEnumerable<double>? errors, string legend)
    {
        double[] x = [.. xs.Select(Math.Log10)], yv = [.. ys];
        double[] y = [.. yv.Select(Math.Log10)];
        var scatter = plot.Add.Scatter(x, y);
        scatter.LegendText = legend;
        scatter.MarkerSize = 8;
        if (errors is not null)
        {
            double[] e = [.. errors.Zip(yv, (d, v) => d / (v * Math.Log(10)))];
            var bars = plot.Add.ErrorBar(x, y, e);
            bars.Color = scatter.Color;
        }
    }

    private static void Save(Plot plot, string pathWithoutExtension)
    {
        plot.SavePng(pathWithoutExtension + ".png", 900, 600);
        plot.SaveSvg(pathWithoutExtension + ".svg", 900, 600);
    }
}
