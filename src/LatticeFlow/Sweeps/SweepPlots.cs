using System.Globalization;
using LatticeFlow.Analysis;
using ScottPlot;

namespace LatticeFlow.Sweeps;

/// <summary>
/// The sweep's figures (PNG and SVG): τ_int against L on log–log axes per observable, one series per algorithm
/// with error bars, the fitted τ_int ∝ L^z as a dashed line and z in the legend (Albergo et al. 2019, Fig. 5); m_p·L
/// against L; and the cost per effectively independent configuration against L, with and without the flow's training.
/// Each algorithm has one colour and marker in every figure (<see cref="FigureStyle.Algorithm"/>); its points are
/// shifted along L by a fixed factor (<see cref="Offset"/>) so that error bars at equal L do not overlap, as the
/// axis label says. Points that cannot be drawn (τ_int undefined or undetermined, no plateau) are counted in the title.
/// </summary>
public static class SweepPlots
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["chi2"] = "χ₂", ["absM_per_V"] = "⟨|M|⟩/V", ["E"] = "Ising energy E", ["absM"] = "|M|", ["M2"] = "M²",
        ["action_density"] = "S/V", ["ising_product"] = "nearest-neighbour product",
    };

    /// <summary>log10 of the factor between neighbouring algorithms' L: 0.01, i.e. 2.3 %.</summary>
    public const double OffsetStep = 0.01;

    public static void Write(string dir, IReadOnlyList<SweepRow> rows)
    {
        if (rows.Count == 0) return;
        Directory.CreateDirectory(dir);
        foreach (var (name, plot) in Build(rows)) FigureStyle.Save(plot, Path.Combine(dir, name));
    }

    /// <summary>Every figure of the sweep with its file name (without extension); none for no rows.</summary>
    public static IReadOnlyList<(string Name, Plot Plot)> Build(IReadOnlyList<SweepRow> rows)
    {
        if (rows.Count == 0) return [];
        var fits = SweepSummary.Fits(rows);
        var algorithms = FigureStyle.Order(rows.Select(r => r.Algorithm));
        double[] sizes = [.. rows.Select(r => (double)r.L).Distinct().Order()];
        var plots = new List<(string, Plot)>();
        foreach (var (observable, label) in Labels)
            plots.Add(($"tau_vs_L_{observable}", TauAgainstL(rows, algorithms, sizes, fits, observable, label)));
        plots.Add(("mpL_vs_L", PoleMassTimesL(rows, algorithms, sizes)));
        plots.Add(("cost_vs_L", Cost(rows, algorithms, sizes)));
        var flows = rows.Where(r => r.Algorithm == "flow").OrderBy(r => r.L).ToList();
        if (flows.Count > 0)
        {
            plots.Add(("flow_acceptance_vs_L", FlowAcceptance(flows, sizes)));
            plots.Add(("flow_acceptance_vs_training_seconds", FlowTraining(flows)));
        }
        return plots;
    }

    /// <summary>log10 of the factor by which <paramref name="algorithm"/>'s points are shifted along L: symmetric about 0.</summary>
    public static double Offset(IReadOnlyList<string> algorithms, string algorithm)
    {
        int k = Math.Max(0, algorithms.ToList().IndexOf(algorithm));
        return (k - (algorithms.Count - 1) / 2.0) * OffsetStep;
    }

    private static string OffsetNote(IReadOnlyList<string> algorithms)
    {
        if (algorithms.Count < 2) return "";
        double most = (Math.Pow(10, (algorithms.Count - 1) / 2.0 * OffsetStep) - 1) * 100;
        return FormattableString.Invariant($"; algorithms offset by up to ±{most:0.#} % in L for legibility");
    }

    private static Plot TauAgainstL(IReadOnlyList<SweepRow> rows, IReadOnlyList<string> algorithms, double[] sizes,
        Dictionary<string, DynamicExponent> fits, string observable, string label)
    {
        var plot = LogLog($"L (log scale{OffsetNote(algorithms)})", "τ_int (Wolff: ½ + Σρ; log scale)", sizes);
        var series = new List<(string Algorithm, LogSeries Trusted, LogSeries Excluded)>();
        int left = 0, noError = 0;
        foreach (string a in algorithms)
        {
            var pts = rows.Where(r => r.Algorithm == a).OrderBy(r => r.L).ToList();
            double off = Offset(algorithms, a);
            bool InFit(SweepRow r) => r.Trusted(observable);
            LogSeries Of(IEnumerable<SweepRow> rs) => FigureStyle.OnLogAxis([.. rs.Select(r => Math.Log10(r.L) + off)],
                [.. rs.Select(r => r.Tau(observable).TauInt)], [.. rs.Select(r => r.Tau(observable).TauIntError)]);
            var trusted = Of(pts.Where(InFit));
            var excluded = Of(pts.Where(r => !InFit(r)));
            left += trusted.Left + excluded.Left;
            noError += trusted.NoError + excluded.NoError;
            series.Add((a, trusted, excluded));
        }
        var notes = new List<string?>();
        if (left > 0) notes.Add($"{FigureStyle.Count(left, "point")} with τ_int undefined or undetermined not shown");
        if (noError > 0) notes.Add($"{FigureStyle.Count(noError, "error")} undetermined (no bar)");
        string title = $"τ_int of {label} against L";
        if (FigureStyle.LogRange(series.SelectMany(s => new[] { s.Trusted, s.Excluded })) is not var (bottom, top))
        {
            FigureStyle.Title(plot, title, notes);
            FigureStyle.Nothing(plot, "no algorithm has a determined τ_int of this observable");
            return plot;
        }
        bool anyExcluded = false;
        foreach (var (a, trusted, excluded) in series)
        {
            var style = FigureStyle.Algorithm(a);
            string legend = fits.TryGetValue($"{a}/{observable}", out var fit)
                ? FormattableString.Invariant($"{a}: {fit.Describe()}{(fit.Excluded > 0 ? $" ({fit.Points} of {fit.Points + fit.Excluded} sizes)" : "")}")
                : $"{a} (no fit: fewer than 2 trusted sizes)";
            var (p, _) = FigureStyle.Draw(plot, trusted, bottom, style.Color);
            Mark(p, style.Marker, trusted.Y.Count > 0 ? legend : null);
            if (excluded.Y.Count > 0)
            {
                anyExcluded = true;
                var (q, _) = FigureStyle.Draw(plot, excluded, bottom, style.Color);
                Mark(q, style.OpenMarker, trusted.Y.Count == 0 ? legend : null);
            }
            if (fit is not null)
            {
                // The fit over the sizes it used: log10 τ = log10 A + z log10 L.
                var used = rows.Where(r => r.Algorithm == a && r.Trusted(observable)).Select(r => Math.Log10(r.L)).ToList();
                double x0 = used.Min(), x1 = used.Max();
                double off = Offset(algorithms, a);
                var line = plot.Add.Line(x0 + off, Math.Log10(fit.Amplitude) + fit.Z * x0, x1 + off, Math.Log10(fit.Amplitude) + fit.Z * x1);
                line.LineColor = style.Color;
                line.LinePattern = LinePattern.Dashed;
                line.LineWidth = 1.5f;
            }
        }
        if (anyExcluded) notes.Add("open markers: left out of the fit (N < 50 τ_int, heavy-tailed flow weights or a sticky flow chain)");
        plot.Axes.SetLimitsY(bottom, top);
        FigureStyle.Title(plot, title, notes);
        return plot;
    }

    private static Plot PoleMassTimesL(IReadOnlyList<SweepRow> rows, IReadOnlyList<string> algorithms, double[] sizes)
    {
        var plot = new Plot();
        plot.XLabel($"L{OffsetNote(algorithms)}");
        plot.YLabel("m_p·L");
        plot.Axes.Bottom.TickGenerator = SizeTicks(sizes, log: false);
        var reference = plot.Add.HorizontalLine(4, 1, Colors.Gray, LinePattern.Dashed);
        reference.LegendText = "m_p·L = 4 (the paper's ensembles)";
        var missing = new List<string>();
        int noError = 0;
        foreach (string a in algorithms)
        {
            var style = FigureStyle.Algorithm(a);
            var group = rows.Where(r => r.Algorithm == a).OrderBy(r => r.L).ToList();
            missing.AddRange(group.Where(r => r.PoleMassTimesL is not { Value: var v } || !double.IsFinite(v)).Select(r => $"{a} L = {r.L}"));
            var pts = group.Where(r => r.PoleMassTimesL is { Value: var v } && double.IsFinite(v)).ToList();
            if (pts.Count == 0) continue;
            double factor = Math.Pow(10, Offset(algorithms, a));
            double[] x = [.. pts.Select(r => r.L * factor)], y = [.. pts.Select(r => r.PoleMassTimesL!.Value)];
            double[] e = [.. pts.Select(r => r.PoleMassTimesL!.Error is var d && double.IsFinite(d) ? d : 0)];
            noError += pts.Count(r => !double.IsFinite(r.PoleMassTimesL!.Error));
            var bars = plot.Add.ErrorBar(x, y, e);
            bars.Color = style.Color;
            var sc = plot.Add.Scatter(x, y, style.Color);
            Mark(sc, style.Marker, a);
        }
        var notes = new List<string?>();
        if (missing.Count > 0) notes.Add($"no plateau, not shown: {string.Join(", ", missing)}");
        if (noError > 0) notes.Add($"{FigureStyle.Count(noError, "error")} undetermined (no bar)");
        double pad = sizes.Length > 1 ? 0.08 * (sizes[^1] - sizes[0]) : 1;
        plot.Axes.SetLimitsX(sizes[0] - pad, sizes[^1] + pad);
        FigureStyle.Title(plot, "m_p·L against L (the paper's ensembles hold it near 4)", notes);
        FigureStyle.LegendBelow(plot);
        return plot;
    }

    private static Plot Cost(IReadOnlyList<SweepRow> rows, IReadOnlyList<string> algorithms, double[] sizes)
    {
        var plot = LogLog($"L (log scale{OffsetNote(algorithms)})", "seconds per independent configuration (log scale)", sizes);
        var all = new List<(SeriesStyle Style, LogSeries S, string Legend, bool Dashed)>();
        int left = 0;
        foreach (string a in algorithms)
        {
            var style = FigureStyle.Algorithm(a);
            var pts = rows.Where(r => r.Algorithm == a).OrderBy(r => r.L).ToList();
            double off = Offset(algorithms, a);
            var s = FigureStyle.OnLogAxis([.. pts.Select(r => Math.Log10(r.L) + off)], [.. pts.Select(r => r.SecondsPerIndependent)], null);
            left += s.Left;
            all.Add((style, s, a, false));
            if (pts.Count > 0 && pts.All(r => r.TrainingSeconds is not null))
            {
                var t = FigureStyle.OnLogAxis([.. pts.Select(r => Math.Log10(r.L) + off)], [.. pts.Select(r => r.SecondsPerIndependentWithTraining)], null);
                all.Add((style, t, $"{a} incl. training (amortised over this run)", true));
            }
        }
        var notes = new List<string?> { "2 τ_int,max × seconds per configuration" };
        if (left > 0) notes.Add($"{FigureStyle.Count(left, "point")} with no determined τ_int not shown");
        string title = "Cost per effectively independent configuration";
        if (FigureStyle.LogRange(all.Select(x => x.S)) is not var (bottom, top))
        {
            FigureStyle.Title(plot, title, notes);
            FigureStyle.Nothing(plot, "no determined cost to draw");
            return plot;
        }
        foreach (var (style, s, legend, dashed) in all)
        {
            var (p, _) = FigureStyle.Draw(plot, s, bottom, style.Color);
            Mark(p, dashed ? style.OpenMarker : style.Marker, legend);
            p.LineWidth = 1;
            if (dashed) p.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.SetLimitsY(bottom, top);
        FigureStyle.Title(plot, title, notes);
        return plot;
    }

    /// <summary>
    /// The flow's acceptance against L: flow MH's over its run, and the trained flow's independence-Metropolis
    /// acceptance on the final evaluation's fresh proposals (train.json), on a log L axis and a linear 0–1 axis.
    /// </summary>
    private static Plot FlowAcceptance(IReadOnlyList<SweepRow> flows, double[] sizes)
    {
        var plot = new Plot();
        plot.XLabel("L (log scale)");
        plot.YLabel("acceptance");
        LogSizeAxis(plot, sizes);
        AcceptanceAxis(plot);
        var style = FigureStyle.Algorithm("flow");
        var mh = plot.Add.Scatter(flows.Select(r => Math.Log10(r.L)).ToArray(), flows.Select(r => r.Acceptance).ToArray(), style.Color);
        Mark(mh, style.Marker, "flow MH (the run's chains)");
        mh.LineWidth = 1;
        var evaluated = flows.Where(r => r.TrainingAcceptance is double a && double.IsFinite(a)).ToList();
        if (evaluated.Count > 0)
        {
            var ev = plot.Add.Scatter(evaluated.Select(r => Math.Log10(r.L)).ToArray(), evaluated.Select(r => r.TrainingAcceptance!.Value).ToArray(), style.Color);
            Mark(ev, style.OpenMarker, "trained flow on fresh proposals (train.json)");
            ev.LineWidth = 1;
            ev.LinePattern = LinePattern.Dashed;
        }
        var heavy = flows.Where(r => r.HeavyTailed).Select(r => $"L = {r.L}").ToList();
        var sticky = flows.Where(r => r.Sticky).Select(r => $"L = {r.L} ({r.LongestRejectionRun} of {r.LongestRunChainProposals})").ToList();
        FigureStyle.Title(plot, "Flow acceptance against L",
            [heavy.Count > 0 ? $"heavy-tailed weights (Pareto k̂ above threshold): {string.Join(", ", heavy)}" : null,
             sticky.Count > 0 ? $"sticky chains (rejections in a row, of the chain's proposals): {string.Join(", ", sticky)}" : null]);
        FigureStyle.LegendBelow(plot);
        return plot;
    }

    /// <summary>Acceptance on fresh proposals at the training's periodic checks (checks.csv) against training seconds, one line per point.</summary>
    private static Plot FlowTraining(IReadOnlyList<SweepRow> flows)
    {
        var plot = new Plot();
        plot.XLabel("training seconds (this point's, from its own start or initialisation)");
        plot.YLabel("acceptance on fresh proposals");
        var palette = new ScottPlot.Palettes.Category10();
        int drawn = 0;
        var without = new List<string>();
        foreach (var (r, i) in flows.Select((r, i) => (r, i)))
        {
            if (r.TrainingChecks.Count == 0) { without.Add(SweepSummary.PointLabel(r, flows)); continue; }
            var line = plot.Add.Scatter(r.TrainingChecks.Select(c => c.Seconds).ToArray(), r.TrainingChecks.Select(c => c.Acceptance).ToArray(), palette.GetColor(i));
            line.LegendText = SweepSummary.PointLabel(r, flows);
            line.MarkerSize = 5;
            drawn++;
        }
        var notes = new List<string?>();
        if (without.Count > 0) notes.Add($"no periodic checks (flow key check_every): {string.Join(", ", without)}");
        FigureStyle.Title(plot, "Flow acceptance against training time", notes);
        if (drawn == 0) FigureStyle.Nothing(plot, "no training checks to draw");
        else
        {
            AcceptanceAxis(plot);
            FigureStyle.LegendBelow(plot);
        }
        return plot;
    }

    private static void Mark(ScottPlot.Plottables.Scatter s, MarkerShape marker, string? legend)
    {
        s.MarkerShape = marker;
        s.MarkerSize = 9;
        s.LineWidth = 0;
        if (legend is not null) s.LegendText = legend;
    }

    /// <summary>Log–log axes: the y axis labelled by <see cref="LogTicks"/>, the x axis with a tick at every lattice size; the legend below.</summary>
    private static Plot LogLog(string x, string y, double[] sizes)
    {
        var plot = new Plot();
        plot.XLabel(x);
        plot.YLabel(y);
        FigureStyle.LogAxis(plot.Axes.Left);
        LogSizeAxis(plot, sizes);
        FigureStyle.LegendBelow(plot);
        return plot;
    }

    /// <summary>An acceptance on the y axis: 0 to 1, a tick every 0.1.</summary>
    private static void AcceptanceAxis(Plot plot)
    {
        plot.Axes.SetLimitsY(0, 1);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(0.1);
    }

    /// <summary>The x axis at log10 L: a tick at every lattice size, and a margin of 8 % of the range (at least 0.05) on each side.</summary>
    private static void LogSizeAxis(Plot plot, double[] sizes)
    {
        plot.Axes.Bottom.TickGenerator = SizeTicks(sizes, log: true);
        double lo = Math.Log10(sizes[0]), hi = Math.Log10(sizes[^1]), pad = Math.Max(0.05, 0.08 * (hi - lo));
        plot.Axes.SetLimitsX(lo - pad, hi + pad);
    }

    /// <summary>A labelled tick at every lattice size (integers), at log10 L on a log axis.</summary>
    private static ScottPlot.TickGenerators.NumericManual SizeTicks(double[] sizes, bool log)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double l in sizes) ticks.AddMajor(log ? Math.Log10(l) : l, l.ToString(CultureInfo.InvariantCulture));
        return ticks;
    }
}
