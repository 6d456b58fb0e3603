using ScottPlot;

namespace LatticeFlow.Analysis;

/// <summary>
/// The plots of `analyze` (PNG and SVG): per primary, ρ(t) with its error band and the window, τ_int(W), and the
/// Monte Carlo history; the histogram of M; G̃(t) on a log scale; m_eff(t) with the fitted plateau. Every figure says in
/// its title what it leaves out (non-finite values, G̃ ≤ 0 on the log axis, undetermined errors) and draws a constant,
/// single-valued or empty series as what it is, with a note, never as a misleading picture or an exception.
/// Plot text writes G̃ as "G~": the plot font has no tilde for a capital G.
/// </summary>
public static class AnalysisPlots
{
    public static void Write(string dir, AnalysisResult r, double[][] magnetization)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, plot) in Build(r, magnetization)) FigureStyle.Save(plot, Path.Combine(dir, name));
    }

    /// <summary>Every figure of `analyze` with its file name (without extension).</summary>
    public static IReadOnlyList<(string Name, Plot Plot)> Build(AnalysisResult r, double[][] magnetization)
    {
        var plots = new List<(string, Plot)>();
        foreach (var p in r.Primaries)
        {
            plots.Add(($"rho_{p.Name}", Autocorrelation(p, r.Algorithm)));
            plots.Add(($"tau_int_{p.Name}", TauIntByWindow(p)));
        }
        plots.Add(("history_M", History(magnetization, $"{r.Algorithm}, {r.Lattice}")));
        plots.Add(("histogram_M", Histogram(magnetization)));
        plots.Add(("correlator", Correlator(r.Correlator.Correlator)));
        plots.Add(("effective_mass", EffectiveMass(r.Correlator, r.Lattice.TimeExtent)));
        return plots;
    }

    /// <summary>Why a primary has no ρ(t) and τ_int(W) curves, in words; null where it has them.</summary>
    private static string? NoCurves(PrimaryResult p) => p.Result.Status switch
    {
        ErrorStatus.Constant => $"{p.Name} never changed: no fluctuations, so ρ(t) and τ_int are not defined",
        ErrorStatus.Undetermined => $"no ρ(t) for {p.Name}: its error is undetermined (non-finite values, or too few data per chain)",
        _ => p.Curves.Rho.Length == 0 ? $"no ρ(t) for {p.Name}" : null,
    };

    public static Plot Autocorrelation(PrimaryResult p, string algorithm)
    {
        var plot = new Plot();
        plot.XLabel("Monte Carlo time t");
        plot.YLabel("ρ(t) = Γ(t)/Γ(0)");
        FigureStyle.IntegerAxis(plot.Axes.Bottom);
        string title = $"Autocorrelation of {p.Name} ({algorithm})";
        if (NoCurves(p) is string why)
        {
            plot.Title(title);
            FigureStyle.Nothing(plot, why);
            return plot;
        }
        var c = p.Curves;
        double[] t = [.. Enumerable.Range(0, c.Rho.Length).Select(i => (double)i)];
        var color = Colors.C0;
        var band = plot.Add.FillY(t, [.. c.Rho.Zip(c.RhoError, (a, e) => a - e)], [.. c.Rho.Zip(c.RhoError, (a, e) => a + e)]);
        band.FillStyle.Color = color.WithAlpha(0.25);
        band.LineStyle.Width = 0;
        band.LegendText = "± δρ(t) (Wolff eq. 33)";
        var line = plot.Add.Scatter(t, c.Rho, color);
        line.MarkerSize = Markers(t.Length);
        line.LegendText = "ρ(t)";
        plot.Add.HorizontalLine(0, 1, Colors.Gray);
        Window(plot, p.Result.Window);
        plot.Axes.SetLimitsX(-0.5, t[^1] + 0.5);
        FigureStyle.Title(plot, title, [p.Result.Caveat]);
        FigureStyle.LegendBelow(plot);
        return plot;
    }

    public static Plot TauIntByWindow(PrimaryResult p)
    {
        var plot = new Plot();
        plot.XLabel("summation window W");
        plot.YLabel("τ_int(W)");
        FigureStyle.IntegerAxis(plot.Axes.Bottom);
        var g = p.Result;
        if (NoCurves(p) is string why)
        {
            plot.Title($"τ_int(W) of {p.Name}: {(g.Status == ErrorStatus.Constant ? "not defined (constant series)" : "undetermined")}");
            FigureStyle.Nothing(plot, why);
            return plot;
        }
        var c = p.Curves;
        double[] t = [.. Enumerable.Range(0, c.TauIntByWindow.Length).Select(i => (double)i)];
        var tl = plot.Add.Scatter(t, c.TauIntByWindow, Colors.C0);
        tl.MarkerSize = Markers(t.Length);
        tl.LegendText = "τ_int(W) = ½ + Σ_{1≤t≤W} ρ(t)";
        var est = plot.Add.Rectangle(0, t[^1], g.TauInt - g.TauIntError, g.TauInt + g.TauIntError);
        est.FillStyle.Color = Colors.C0.WithAlpha(0.15);
        est.LineStyle.Width = 0;
        est.LegendText = "τ_int ± δτ_int at the window";
        Window(plot, g.Window);
        plot.Axes.SetLimitsX(-0.5, t[^1] + 0.5);
        FigureStyle.Title(plot, $"τ_int(W) of {p.Name}: {FigureStyle.Number(g.TauInt, "F2")} ± {FigureStyle.Number(g.TauIntError, "F2")} (Wolff's convention: ½ + Σρ)", [g.Caveat]);
        FigureStyle.LegendBelow(plot);
        return plot;
    }

    /// <summary>Markers where they can be told apart; a plain line beyond 60 points.</summary>
    private static float Markers(int points) => points > 60 ? 0 : 5;

    private static void Window(Plot plot, int w)
    {
        var line = plot.Add.VerticalLine(w, 2, Colors.Red);
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = $"automatic window W = {w} (Wolff's criterion)";
    }

    /// <summary>M against configuration for the first four chains; non-finite values are gaps, counted in the title.</summary>
    public static Plot History(double[][] magnetization, string what)
    {
        var plot = new Plot();
        plot.XLabel("configuration (after the thermalisation cut)");
        plot.YLabel("M = Σ_x φ(x)");
        FigureStyle.IntegerAxis(plot.Axes.Bottom);
        int shown = Math.Min(4, magnetization.Length);
        var notes = new List<string?>();
        if (magnetization.Length > shown) notes.Add($"chains 0-{shown - 1} of {magnetization.Length}");
        long nonFinite = magnetization.Take(shown).Sum(m => (long)m.Count(x => !double.IsFinite(x)));
        if (nonFinite > 0) notes.Add($"{FigureStyle.Count((int)Math.Min(nonFinite, int.MaxValue), "non-finite value")} not shown");
        string title = $"Monte Carlo history of M ({what})";
        if (magnetization.Take(shown).All(m => !m.Any(double.IsFinite)))
        {
            FigureStyle.Title(plot, title, notes);
            FigureStyle.Nothing(plot, "no finite values of M");
            return plot;
        }
        int bucket = (int)Math.Ceiling(magnetization.Take(shown).Max(m => m.Length) / (double)HistoryPoints);
        if (bucket > 1) notes.Add($"each vertical stroke spans the min-max of {bucket} consecutive configurations");
        for (int b = 0; b < shown; b++)
        {
            var (x, y) = Envelope(magnetization[b], bucket);
            var s = plot.Add.ScatterLine(x, y, color: PaletteColor(b));
            if (shown > 1) s.LegendText = $"chain {b}";
        }
        // A constant history has no range to scale to: centre it in a band of ±1.
        var finite = magnetization.Take(shown).SelectMany(x => x).Where(double.IsFinite).ToArray();
        double lo = finite.Min(), hi = finite.Max();
        if (lo == hi)
        {
            plot.Axes.SetLimitsY(lo - Math.Max(1, Math.Abs(lo) * 0.1), hi + Math.Max(1, Math.Abs(hi) * 0.1));
            notes.Add($"M = {FigureStyle.Number(lo, "G6")} in every configuration: the chain did not move");
        }
        FigureStyle.Title(plot, title, notes);
        if (shown > 1) FigureStyle.LegendBelow(plot);
        return plot;
    }

    /// <summary>Points of a history drawn at most: beyond, a long chain is drawn as an envelope (a 10⁷-point line would make a GB-sized SVG).</summary>
    private const int HistoryPoints = 20000;

    /// <summary>
    /// The series as it is (bucket 1), or as the minimum and maximum of each bucket of consecutive configurations, drawn at
    /// the bucket's first configuration: the line then traces the envelope a full-resolution plot would show. Non-finite
    /// values are left out.
    /// </summary>
    private static (double[] X, double[] Y) Envelope(double[] m, int bucket)
    {
        var x = new List<double>();
        var y = new List<double>();
        for (int start = 0; start < m.Length; start += bucket)
        {
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int i = start; i < Math.Min(m.Length, start + bucket); i++)
                if (double.IsFinite(m[i])) { lo = Math.Min(lo, m[i]); hi = Math.Max(hi, m[i]); }
            if (lo > hi) continue;
            x.Add(start); y.Add(lo);
            if (bucket > 1) { x.Add(start); y.Add(hi); }
        }
        return ([.. x], [.. y]);
    }

    private static Color PaletteColor(int i) => new ScottPlot.Palettes.Category10().GetColor(i);

    /// <summary>
    /// The histogram of the finite values of M: bins of equal width (Rice's rule, 2 N^(1/3), at most 60), bars as wide as
    /// their bins, counts from 0. A single value is one narrow bar with a note; no finite values, a note.
    /// </summary>
    public static Plot Histogram(double[][] magnetization)
    {
        var all = magnetization.SelectMany(x => x).Where(double.IsFinite).ToArray();
        long total = magnetization.Sum(x => (long)x.Length);
        var plot = new Plot();
        plot.XLabel("M = Σ_x φ(x)");
        plot.YLabel("configurations per bin");
        FigureStyle.IntegerAxis(plot.Axes.Left);
        var notes = new List<string?>();
        if (total > all.Length) notes.Add($"{FigureStyle.Count((int)Math.Min(total - all.Length, int.MaxValue), "non-finite value")} not shown");
        string title = $"Distribution of M ({FigureStyle.Count(all.Length, "configuration")}, all chains)";
        if (all.Length == 0)
        {
            FigureStyle.Title(plot, title, notes);
            FigureStyle.Nothing(plot, "no finite values of M");
            return plot;
        }
        double lo = all.Min(), hi = all.Max();
        double[] centres, counts;
        double width;
        if (lo == hi)
        {
            double span = Math.Max(1, Math.Abs(lo) * 0.1);
            width = span / 25;
            centres = [lo];
            counts = [all.Length];
            plot.Axes.SetLimitsX(lo - span, lo + span);
            notes.Add($"every value is M = {FigureStyle.Number(lo, "G6")} (bar width arbitrary)");
        }
        else
        {
            int bins = Math.Clamp((int)Math.Ceiling(2 * Math.Cbrt(all.Length)), 1, 60);
            width = (hi - lo) / bins;
            counts = new double[bins];
            foreach (double x in all) counts[Math.Min(bins - 1, (int)((x - lo) / width))]++;
            centres = [.. Enumerable.Range(0, bins).Select(i => lo + (i + 0.5) * width)];
            plot.Axes.SetLimitsX(lo - width, hi + width);
            notes.Add($"{bins} bins of width {FigureStyle.Number(width, "G3")}");
        }
        var bars = plot.Add.Bars(centres.Zip(counts, (x, n) => new Bar { Position = x, Value = n, Size = width, FillColor = Colors.C0, LineWidth = 0.5f }).ToArray());
        plot.Axes.SetLimitsY(0, counts.Max() * 1.08);
        FigureStyle.Title(plot, title, notes);
        return plot;
    }

    /// <summary>
    /// G̃(t) on a log axis with asymmetric error bars (from G̃ − δG̃ to G̃ + δG̃). Values ≤ 0 or non-finite cannot be drawn
    /// there and are counted in the title; so are undetermined errors and bars that reach 0 (drawn to the axis' bottom).
    /// </summary>
    public static Plot Correlator(IReadOnlyList<GammaResult> g)
    {
        var plot = new Plot();
        plot.XLabel("t (time separation)");
        plot.YLabel("G~(t) (log scale)");
        FigureStyle.IntegerAxis(plot.Axes.Bottom);
        FigureStyle.LogAxis(plot.Axes.Left);
        string title = "Zero-momentum correlator G~(t) = Σ_x1 G_c(x1, t)";
        var s = FigureStyle.OnLogAxis([.. g.Select((_, t) => (double)t)], [.. g.Select(x => x.Value)], [.. g.Select(x => x.Status == ErrorStatus.Constant ? 0 : x.Error)]);
        var notes = new List<string?>();
        int undetermined = g.Count(x => x.Status == ErrorStatus.Undetermined && x.Value > 0 && double.IsFinite(x.Value));
        if (s.Left > 0) notes.Add($"{FigureStyle.Count(s.Left, "point")} with G~ ≤ 0 or not finite not shown");
        if (undetermined > 0) notes.Add($"{FigureStyle.Count(undetermined, "error")} undetermined (no bar)");
        if (s.Clipped > 0) notes.Add($"{FigureStyle.Count(s.Clipped, "bar")} reaching G~ ≤ 0 drawn to the bottom");
        if (g.Count > 0 && g.All(x => x.Status == ErrorStatus.Constant)) notes.Add("constant: no errors");
        if (FigureStyle.LogRange([s]) is not var (bottom, top))
        {
            FigureStyle.Title(plot, title, notes);
            FigureStyle.Nothing(plot, g.Count == 0 ? "no correlator" : "no positive, finite G~(t) to draw on a log axis");
            return plot;
        }
        FigureStyle.Draw(plot, s, bottom, Colors.C0).Points.LineWidth = 0;
        plot.Axes.SetLimits(-0.5, g.Count - 0.5, bottom, top);
        FigureStyle.Title(plot, title, notes);
        return plot;
    }

    /// <summary>
    /// m_eff(t) with error bars, open markers where the error is undetermined; the plateau's m_p ± δm_p as a band behind
    /// the points. Times where m_eff is not defined (G̃ ≤ 0, or the arccosh argument below 1) are listed in the title.
    /// </summary>
    public static Plot EffectiveMass(CorrelatorResult c, int ly)
    {
        var plot = new Plot();
        plot.XLabel("t");
        plot.YLabel("m_eff(t)");
        FigureStyle.IntegerAxis(plot.Axes.Bottom);
        var mp = c.PoleMass;
        string title = mp is null || c.Plateau is null
            ? "Effective mass (no plateau found)"
            : $"Effective mass: m_p = {FigureStyle.Describe(mp)}, m_p·L = {FigureStyle.Describe(c.PoleMassTimesL!)}";
        var notes = new List<string?>();
        int[] missing = [.. Enumerable.Range(1, Math.Max(0, c.EffectiveMass.Length - 1)).Where(t => c.EffectiveMass[t] is null)];
        if (missing.Length > 0) notes.Add($"not defined at t = {string.Join(", ", missing)} (G~ ≤ 0 or arccosh argument < 1)");
        if (mp is not null && c.Plateau is Plateau pl)
        {
            var fit = plot.Add.Rectangle(pl.First - 0.3, pl.Last + 0.3, mp.Value - (double.IsFinite(mp.Error) ? mp.Error : 0), mp.Value + (double.IsFinite(mp.Error) ? mp.Error : 0));
            fit.FillStyle.Color = Colors.Orange.WithAlpha(0.3);
            fit.LineStyle.Width = 0;
            fit.LegendText = $"plateau t = {pl.First}..{pl.Last} (χ²/dof {pl.ChiSquaredPerDof:F2}): m_p ± δm_p";
        }
        var pts = Enumerable.Range(0, c.EffectiveMass.Length).Where(t => c.EffectiveMass[t] is { } m && double.IsFinite(m.Value)).ToArray();
        var withError = pts.Where(t => c.EffectiveMass[t]!.Error is double e && double.IsFinite(e)).ToArray();
        var without = pts.Except(withError).ToArray();
        if (withError.Length > 0)
        {
            double[] x = [.. withError.Select(t => (double)t)], y = [.. withError.Select(t => c.EffectiveMass[t]!.Value)];
            var bars = plot.Add.ErrorBar(x, y, [.. withError.Select(t => c.EffectiveMass[t]!.Error)]);
            bars.Color = Colors.C0;
            var ms = plot.Add.Scatter(x, y, Colors.C0);
            ms.LineWidth = 0;
            ms.MarkerSize = 8;
            ms.LegendText = "m_eff(t) = arccosh[(G~(t−1) + G~(t+1)) / 2G~(t)]";
        }
        if (without.Length > 0)
        {
            var ms = plot.Add.Scatter(without.Select(t => (double)t).ToArray(), without.Select(t => c.EffectiveMass[t]!.Value).ToArray(), Colors.C0);
            ms.LineWidth = 0;
            ms.MarkerSize = 8;
            ms.MarkerShape = MarkerShape.OpenCircle;
            ms.LegendText = "m_eff(t), error undetermined";
        }
        if (pts.Length == 0 && mp is null)
        {
            FigureStyle.Title(plot, title, notes);
            FigureStyle.Nothing(plot, c.EffectiveMass.Length < 2 ? "no m_eff(t): it needs G~ at t − 1, t, t + 1 ≤ Ly/2, so Ly ≥ 4" : "no m_eff(t) is defined");
            return plot;
        }
        plot.Axes.SetLimitsX(0.5, Math.Max(ly / 2 - 0.5, 1.5));
        FigureStyle.Title(plot, title, notes);
        FigureStyle.LegendBelow(plot);
        return plot;
    }
}
