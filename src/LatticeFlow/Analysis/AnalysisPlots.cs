using ScottPlot;

namespace LatticeFlow.Analysis;

/// <summary>
/// The plots of `analyze` (PNG and SVG): per primary, ρ(t) with its error band and the window, τ_int(W), and the
/// Monte Carlo history; the histogram of M; G̃(t) on a log scale; m_eff(t) with the fitted plateau.
/// </summary>
public static class AnalysisPlots
{
    public static void Write(string dir, AnalysisResult r, double[][] magnetization)
    {
        Directory.CreateDirectory(dir);
        foreach (var p in r.Primaries)
        {
            var c = p.Curves;
            double[] t = [.. Enumerable.Range(0, c.Rho.Length).Select(i => (double)i)];
            var rho = new Plot();
            rho.Title($"Autocorrelation of {p.Name} ({r.Algorithm})");
            rho.XLabel("Monte Carlo time t");
            rho.YLabel("ρ(t)");
            var band = rho.Add.FillY(t, [.. c.Rho.Zip(c.RhoError, (a, e) => a - e)], [.. c.Rho.Zip(c.RhoError, (a, e) => a + e)]);
            band.FillStyle.Color = Colors.Blue.WithAlpha(0.2);
            band.LegendText = "± δρ (Wolff eq. 33)";
            var line = rho.Add.Scatter(t, c.Rho);
            line.LegendText = "ρ(t)";
            Window(rho, p.Result.Window);
            rho.Add.HorizontalLine(0, 1, Colors.Gray);
            rho.ShowLegend();
            Save(rho, Path.Combine(dir, $"rho_{p.Name}"));

            var tau = new Plot();
            tau.Title($"τ_int(W) of {p.Name}: {p.Result.TauInt:F2} ± {p.Result.TauIntError:F2} (Wolff: ½ + Σρ)");
            tau.XLabel("summation window W");
            tau.YLabel("τ_int(W)");
            var tl = tau.Add.Scatter(t, c.TauIntByWindow);
            tl.LegendText = "τ_int(W) = ½ + Σ_{t≤W} ρ(t)";
            Window(tau, p.Result.Window);
            tau.ShowLegend();
            Save(tau, Path.Combine(dir, $"tau_int_{p.Name}"));
        }

        var history = new Plot();
        history.Title($"Monte Carlo history of M ({r.Algorithm}, {r.Lx}x{r.Ly})");
        history.XLabel("configuration");
        history.YLabel("M = Σ_x φ(x)");
        for (int b = 0; b < Math.Min(4, magnetization.Length); b++)
        {
            var m = magnetization[b];
            var s = history.Add.Signal(m);
            s.LegendText = $"chain {b}";
        }
        history.ShowLegend();
        Save(history, Path.Combine(dir, "history_M"));

        var all = magnetization.SelectMany(x => x).Where(double.IsFinite).ToArray();
        var hist = new Plot();
        hist.Title($"Distribution of M ({all.Length} configurations)");
        hist.XLabel("M");
        hist.YLabel("configurations");
        // A constant or empty series has no spread to bin (ScottPlot needs min < max): one bar, or a note.
        if (all.Length > 0 && all.Min() < all.Max())
        {
            var h = ScottPlot.Statistics.Histogram.WithBinCount(60, all);
            hist.Add.Bars(h.Bins, h.Counts);
        }
        else if (all.Length > 0) hist.Add.Bars([all[0]], [(double)all.Length]);
        else hist.Add.Annotation("no finite values of M");
        hist.Axes.Rules.Add(new ScottPlot.AxisRules.LockedBottom(hist.Axes.Left, 0));
        Save(hist, Path.Combine(dir, "histogram_M"));

        var g = r.Correlator.Correlator;
        var corr = new Plot();
        corr.Title("Zero-momentum correlator G̃(t)");
        corr.XLabel("t");
        corr.YLabel("G̃(t) (log scale)");
        var pos = Enumerable.Range(0, g.Length).Where(i => g[i].Value > 0).ToArray();
        double[] ct = [.. pos.Select(i => (double)i)], cv = [.. pos.Select(i => Math.Log10(g[i].Value))];
        var cs = corr.Add.Scatter(ct, cv);
        cs.LegendText = "G̃(t)";
        var ce = corr.Add.ErrorBar(ct, cv, [.. pos.Select(i => g[i].Error / (g[i].Value * Math.Log(10)))]);
        ce.Color = cs.Color;
        corr.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture),
        };
        corr.ShowLegend();
        Save(corr, Path.Combine(dir, "correlator"));

        var meff = new Plot();
        var mp = r.Correlator.PoleMass;
        meff.Title(mp is null ? "Effective mass (no plateau found)" : $"Effective mass: m_p = {mp.Value:F4} ± {mp.Error:F4}, m_p·L = {r.Correlator.PoleMassTimesL!.Value:F3}");
        meff.XLabel("t");
        meff.YLabel("m_eff(t)");
        var idx = Enumerable.Range(0, r.Correlator.EffectiveMass.Length).Where(i => r.Correlator.EffectiveMass[i] is not null).ToArray();
        if (idx.Length > 0)
        {
            double[] mt = [.. idx.Select(i => (double)i)], mv = [.. idx.Select(i => r.Correlator.EffectiveMass[i]!.Value)];
            var ms = meff.Add.Scatter(mt, mv);
            ms.LegendText = "m_eff(t) = arccosh[(G̃(t−1) + G̃(t+1)) / 2G̃(t)]";
            ms.LineWidth = 0;
            ms.MarkerSize = 8;
            var me = meff.Add.ErrorBar(mt, mv, [.. idx.Select(i => r.Correlator.EffectiveMass[i]!.Error)]);
            me.Color = ms.Color;
        }
        if (mp is not null && r.Correlator.Plateau is Plateau pl)
        {
            var fit = meff.Add.Rectangle(pl.First - 0.2, pl.Last + 0.2, mp.Value - mp.Error, mp.Value + mp.Error);
            fit.FillStyle.Color = Colors.Orange.WithAlpha(0.3);
            fit.LineStyle.Width = 0;
            fit.LegendText = $"plateau t = {pl.First}..{pl.Last}: m_p ± δm_p";
        }
        meff.ShowLegend();
        Save(meff, Path.Combine(dir, "effective_mass"));
    }

    private static void Window(Plot plot, int w)
    {
        var line = plot.Add.VerticalLine(w, 2, Colors.Red);
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = $"automatic window W = {w}";
    }

    private static void Save(Plot plot, string pathWithoutExtension)
    {
        plot.SavePng(pathWithoutExtension + ".png", 900, 600);
        plot.SaveSvg(pathWithoutExtension + ".svg", 900, 600);
    }
}
