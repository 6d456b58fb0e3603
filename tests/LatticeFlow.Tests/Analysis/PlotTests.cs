using System.Globalization;
using LatticeFlow.Analysis;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;
using LatticeFlow.Sweeps;
using ScottPlot;

namespace LatticeFlow.Tests.Analysis;

/// <summary>
/// The figures of analyze, sweep and train (issue 12, items 7 and 16): every plot renders whatever the data (constant,
/// single-valued, empty, non-finite); histograms count from 0; log axes have three labels within a decade; integer axes
/// only integer ticks; each algorithm one colour in every sweep figure; the training loss axis ignores the first steps.
/// Asserted on ScottPlot's objects after a render (limits and ticks are settled only then).
/// </summary>
public class PlotTests
{
    private static void Render(Plot plot)
    {
        using var image = plot.GetImage(FigureStyle.Width, FigureStyle.Height);
        Assert.False(string.IsNullOrEmpty(plot.GetSvgXml(FigureStyle.Width, FigureStyle.Height)));
    }

    private static string Title(Plot plot) => plot.Axes.Title.Label.Text;

    private static GammaResult Determined(double value, double error) => new(value, error, error / 10, 1.2, 0.1, 5, 1000, 5000, true);
    private static GammaResult Constant(double value) => new(value, 0, 0, double.NaN, double.NaN, 0, double.NaN, 300, false, ErrorStatus.Constant);

    public static TheoryData<string, double[][]> Series => new()
    {
        { "empty", [[]] },
        { "no chains", [] },
        { "single value", [[1.5]] },
        { "constant", [[-2.6, -2.6, -2.6, -2.6]] },
        { "constant zero", [[0, 0, 0]] },
        { "two chains, each constant", [[1, 1, 1], [2, 2, 2]] },
        { "NaN and infinities", [[1, double.NaN, 3, double.PositiveInfinity, double.NegativeInfinity, 2]] },
        { "only NaN", [[double.NaN, double.NaN]] },
        { "huge", [[1e300, -1e300, 0]] },
    };

    [Theory]
    [MemberData(nameof(Series))]
    public void HistoryAndHistogramRenderAnySeriesWithCountsFromZero(string what, double[][] m)
    {
        var history = AnalysisPlots.History(m, what);
        Render(history);
        var hist = AnalysisPlots.Histogram(m);
        Render(hist);
        Assert.DoesNotContain("NaN", Title(hist));
        int finite = m.Sum(c => c.Count(double.IsFinite));
        var bars = hist.GetPlottables<ScottPlot.Plottables.BarPlot>().SelectMany(b => b.Bars).ToList();
        Assert.Equal(finite, (int)bars.Sum(b => b.Value));
        if (finite > 0) Assert.Equal(0, hist.Axes.Left.Range.Min);
        if (finite < m.Sum(c => c.Length)) Assert.Contains("non-finite", Title(hist));
    }

    public static TheoryData<string, int, int, long, long, double, int> Runs => new()
    {
        // Every trajectory rejected (3 leapfrog steps over a trajectory of length 30): M constant; analyze crashed here.
        { "frozen", 4, 4, 300, 10, 30, 1 },
        // Five configurations: every error undetermined, G~(t) < 0 at some t.
        { "tiny", 8, 8, 5, 100, 0, 1 },
        // Ly = 2: no m_eff(t) at all; two chains.
        { "thin", 2, 2, 200, 10, 0, 2 },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void AnalyzeWritesEveryPlotOfAnOddRunWithoutNaNInItsTitles(string name, int lx, int ly, long n, long therm, double trajectory, int chains)
    {
        using var tmp = new TempDir();
        string dir = tmp.Sub(name);
        SampleRun.Execute(new SampleSettings
        {
            Algorithm = "hmc", Geometry = new LatticeGeometry(lx, ly), Action = Phi4Couplings.Tutorial, OutputDirectory = dir, Configurations = n,
            Thermalization = therm, Chains = chains, Seed = 1, Device = "cpu",
            Hmc = trajectory > 0 ? new HmcSettings(TrajectoryLength: trajectory, Steps: 3, TargetAcceptance: 0) : new(),
        }, ProgressReporter.Silent, default);
        var r = RunAnalysis.Analyze([dir], new AnalysisOptions());
        var runs = new[] { RunData.Load(dir) };
        var plots = AnalysisPlots.Build(r, [.. runs.SelectMany(x => x.Measurements.Column("M"))]);
        foreach (var (file, plot) in plots)
        {
            Assert.True(File.Exists(Path.Combine(dir, "plots", file + ".png")), file);
            Assert.True(File.Exists(Path.Combine(dir, "plots", file + ".svg")), file);
            Assert.DoesNotContain("NaN", Title(plot));
        }
        if (name == "frozen") Assert.Contains("not defined", Title(plots.Single(p => p.Name == "tau_int_M").Plot));
    }

    [Fact]
    public void HistogramBarsAreAsWideAsTheirBinsAndTheCountAxisStartsAtZero()
    {
        var rng = new Random(3);
        double[][] m = [[.. Enumerable.Range(0, 3000).Select(_ => rng.NextDouble() * 40 - 20)]];
        var hist = AnalysisPlots.Histogram(m);
        Render(hist);
        var bars = hist.GetPlottables<ScottPlot.Plottables.BarPlot>().Single().Bars;
        double width = (m[0].Max() - m[0].Min()) / bars.Count;
        Assert.All(bars, b => Assert.Equal(width, b.Size, 9));
        Assert.Equal(0, hist.Axes.Left.Range.Min);
        Assert.InRange(hist.Axes.Left.Range.Max, bars.Max(b => b.Value), 1.2 * bars.Max(b => b.Value));
        Assert.All(hist.Axes.Left.TickGenerator.Ticks, t => Assert.Equal(Math.Round(t.Position), t.Position));
    }

    [Theory]
    [InlineData(-0.2, 4.2, 800)]
    [InlineData(0.7, 3.3, 800)]
    [InlineData(-1.1, 1.1, 800)]
    [InlineData(0, 1, 800)]
    [InlineData(-0.5, 0.5, 100)]
    [InlineData(0, 3000, 800)]
    [InlineData(5.8, 10.2, 300)]
    [InlineData(0, 1e7, 800)]
    public void IntegerAxesHaveIntegerTicksOnly(double min, double max, double pixels)
    {
        var ticks = IntegerTicks.Generate(min, max, pixels, s => 7.0 * s.Length);
        Assert.All(ticks, t => Assert.Equal(Math.Round(t.Position), t.Position));
        var majors = ticks.Where(t => t.IsMajor).ToList();
        Assert.All(majors, t => Assert.Equal(t.Position, double.Parse(t.Label, NumberStyles.Number, CultureInfo.InvariantCulture)));
        Assert.DoesNotContain(majors, t => t.Label == "-0");
        int integersInRange = (int)(Math.Floor(max) - Math.Ceiling(min)) + 1;
        Assert.True(majors.Count >= Math.Min(2, integersInRange), $"{majors.Count} labels on [{min}, {max}]");
    }

    public static TheoryData<double, double> LogRanges => new()
    {
        { 0.02, 0.05 },      // within one decade
        { 0.15, 0.18 },      // within a factor 1.2
        { 0.03, 0.045 },
        { 1.1, 1.2 },
        { 0.1, 1 },          // exactly one decade
        { 0.05, 2 },         // two decade ticks only
        { 1e-5, 1e3 },       // many decades
        { 3e-7, 4e-7 },
        { 1e-300, 1e300 },
    };

    [Theory]
    [MemberData(nameof(LogRanges))]
    public void LogAxesHaveAtLeastThreeLabelsAtAnyRange(double lo, double hi)
    {
        double min = Math.Log10(lo), max = Math.Log10(hi);
        var majors = LogTicks.Generate(min, max, 450, _ => 14).Where(t => t.IsMajor).ToList();
        Assert.True(majors.Count >= 3, $"{majors.Count} labels on [{lo}, {hi}]: {string.Join(" ", majors.Select(t => t.Label))}");
        Assert.All(majors, t => Assert.InRange(t.Position, min - 1e-9, max + 1e-9));
        Assert.Equal(majors.Count, majors.Select(t => t.Label).Distinct().Count());
        foreach (var t in majors.Where(t => !t.Label.Contains('×') && !t.Label.StartsWith("10")))
            Assert.Equal(Math.Pow(10, t.Position), double.Parse(t.Label, CultureInfo.InvariantCulture), 1e-9 * Math.Pow(10, t.Position));
    }

    [Fact]
    public void CorrelatorHasALabelledLogAxisIntegerTimesAndSaysWhatItLeavesOut()
    {
        // G̃(t) of a short run: decays within one decade, then noise below zero at large t.
        GammaResult[] g = [Determined(0.26, 0.004), Determined(0.125, 0.003), Determined(0.056, 0.004), Determined(0.031, 0.004),
            Determined(-0.002, 0.004), GammaResult.Undetermined(0.02, 5), Determined(0.01, 0.02), GammaResult.Undetermined(double.NaN, 5)];
        var plot = AnalysisPlots.Correlator(g);
        Render(plot);
        var left = plot.Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor && !string.IsNullOrEmpty(t.Label)).ToList();
        Assert.True(left.Count >= 3, string.Join(" ", left.Select(t => t.Label)));
        Assert.All(plot.Axes.Bottom.TickGenerator.Ticks, t => Assert.Equal(Math.Round(t.Position), t.Position));
        Assert.Contains("2 points with G~ ≤ 0", Title(plot));
        Assert.Contains("1 error undetermined", Title(plot));
        Assert.Contains("1 bar reaching G~ ≤ 0", Title(plot));
        // The clipped bar runs to the bottom of the axis, not to log10(0).
        var bars = plot.GetPlottables<ScottPlot.Plottables.ErrorBar>().Single();
        Assert.All(bars.YErrorNegative!, d => Assert.True(double.IsFinite(d)));
        Assert.Equal(6, bars.Ys.Count);
    }

    public static TheoryData<string, GammaResult[]> Correlators => new()
    {
        { "empty", [] },
        { "all negative", [Determined(-1, 0.1), Determined(-2, 0.1)] },
        { "all NaN", [GammaResult.Undetermined(double.NaN, 5), GammaResult.Undetermined(double.PositiveInfinity, 5)] },
        { "constant", [Constant(0.17), Constant(-0.01), Constant(-0.02)] },
        { "single", [Determined(0.3, 0.01)] },
        { "zero", [Determined(0, 0)] },
    };

    [Theory]
    [MemberData(nameof(Correlators))]
    public void CorrelatorAndEffectiveMassRenderAnyData(string what, GammaResult[] g)
    {
        var plot = AnalysisPlots.Correlator(g);
        Render(plot);
        Assert.DoesNotContain("NaN", Title(plot));
        var meff = new GammaResult?[Math.Max(0, g.Length - 1)];
        if (meff.Length > 1) meff[1] = what == "all NaN" ? null : GammaResult.Undetermined(1.2, 5);
        var m = AnalysisPlots.EffectiveMass(new CorrelatorResult(g, meff, null, null, null), 2 * Math.Max(1, g.Length - 1));
        Render(m);
        Assert.DoesNotContain("NaN", Title(m));
    }

    [Fact]
    public void EffectiveMassWithAPlateauHasIntegerTimes()
    {
        GammaResult?[] meff = [null, Determined(0.81, 0.02), Determined(0.83, 0.05), Determined(0.73, 0.08)];
        var c = new CorrelatorResult([], meff, Determined(0.807, 0.017), new Plateau(1, 3, 0.68), Determined(6.45, 0.14));
        var plot = AnalysisPlots.EffectiveMass(c, 8);
        Render(plot);
        var majors = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Position).ToList();
        Assert.Equal([1.0, 2.0, 3.0], majors);
        Assert.Contains("m_p = 0.807 ± 0.017", Title(plot));
    }

    [Fact]
    public void AutocorrelationOfAConstantOrUndeterminedSeriesSaysSoInsteadOfNaN()
    {
        foreach (var r in new[] { Constant(-2.6), GammaResult.Undetermined(0.1, 5) })
        {
            var p = new PrimaryResult("M", r, GammaCurves.Empty, null);
            var rho = AnalysisPlots.Autocorrelation(p, "hmc");
            var tau = AnalysisPlots.TauIntByWindow(p);
            Render(rho);
            Render(tau);
            Assert.DoesNotContain("NaN", Title(tau));
            Assert.Contains(r.Status == ErrorStatus.Constant ? "not defined" : "undetermined", Title(tau));
            Assert.Empty(tau.GetPlottables<ScottPlot.Plottables.VerticalLine>());
        }
    }

    [Fact]
    public void EveryAlgorithmHasOneFixedStyleAndNewOnesADeterministicOther()
    {
        var known = FigureStyle.KnownAlgorithms.Select(FigureStyle.Algorithm).ToList();
        Assert.Equal(known.Count, known.Select(s => s.Color).Distinct().Count());
        Assert.Equal(known.Count, known.Select(s => s.Marker).Distinct().Count());
        Assert.Equal(FigureStyle.Algorithm("hmc"), FigureStyle.Algorithm("hmc"));
        foreach (string other in new[] { "wolff", "swendsen-wang", "hmc2", "" })
        {
            Assert.Equal(FigureStyle.Algorithm(other), FigureStyle.Algorithm(other));
            Assert.DoesNotContain(FigureStyle.Algorithm(other).Color, known.Select(s => s.Color));
        }
        Assert.Equal(["flow", "hmc", "metropolis", "cluster", "a-new-one"], FigureStyle.Order(["a-new-one", "cluster", "metropolis", "flow", "hmc", "flow"]));
    }

    private static Estimate Tau(double tau, bool reliable = true) => new(1, 0.1, tau, tau / 10, reliable);

    private static SweepRow Row(string algorithm, int l, double tau, bool reliable = true, Estimate? mpl = null) => new()
    {
        Point = l, L = l, Action = Phi4Couplings.Standard(-4, 6), Algorithm = algorithm, Replicas = 1, Configurations = 1000, Acceptance = 0.5,
        AbsMagnetization = Tau(tau, reliable), Chi2 = Tau(tau, reliable), IsingEnergy = Tau(tau, reliable), PoleMassTimesL = mpl,
        Primaries = SweepSummary.PrimaryObservables.ToDictionary(o => o, _ => Tau(tau, reliable)),
        SecondsPerConfiguration = 1e-4, SecondsPerIndependent = 2 * tau * 1e-4,
        TrainingSeconds = algorithm == "flow" ? 10 : null,
    };

    [Fact]
    public void SweepFiguresGiveEachAlgorithmItsColourAndOffsetItsPoints()
    {
        var rows = new List<SweepRow>();
        foreach (int l in new[] { 6, 8, 10 })
        {
            rows.Add(Row("flow", l, 3 + l, l != 10, l == 10 ? null : new Estimate(4, 0.5, 1, 0.1, true)));
            rows.Add(Row("hmc", l, 0.1 * l * l, mpl: new Estimate(3.8, 0.1, 1, 0.1, true)));
            rows.Add(Row("metropolis", l, l == 8 ? double.NaN : 2 * l, mpl: new Estimate(3.9, double.NaN, 1, 0.1, true)));
        }
        var plots = SweepPlots.Build(rows);
        Assert.Contains(plots, p => p.Name == "tau_vs_L_chi2");
        Assert.Contains(plots, p => p.Name == "mpL_vs_L");
        Assert.Contains(plots, p => p.Name == "cost_vs_L");
        var algorithms = FigureStyle.Order(rows.Select(r => r.Algorithm));
        foreach (var (name, plot) in plots.Where(p => !p.Name.StartsWith("flow_")))
        {
            Render(plot);
            Assert.True(plot.Axes.GetPanels().OfType<ScottPlot.Panels.LegendPanel>().Any(), $"{name}: legend outside the data");
            var scatters = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Where(s => !string.IsNullOrEmpty(s.LegendText)).ToList();
            foreach (string a in algorithms)
            {
                var style = FigureStyle.Algorithm(a);
                var mine = scatters.Where(s => s.LegendText.StartsWith(a)).ToList();
                Assert.NotEmpty(mine);
                Assert.All(mine, s => Assert.Equal(style.Color, s.MarkerFillColor == Colors.Transparent ? s.MarkerLineColor : s.MarkerFillColor));
            }
            // Every plottable's colour belongs to an algorithm (or is the grey reference line).
            var palette = algorithms.Select(a => FigureStyle.Algorithm(a).Color).ToHashSet();
            foreach (var e in plot.GetPlottables<ScottPlot.Plottables.ErrorBar>()) Assert.Contains(e.Color, palette);
            Assert.All(plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor), t => Assert.Contains(t.Label, new[] { "6", "8", "10" }));
        }
        // At equal L the algorithms' points are apart by the fixed offset, symmetric about L.
        Assert.Equal(-SweepPlots.OffsetStep, SweepPlots.Offset(algorithms, "flow"), 12);
        Assert.Equal(0, SweepPlots.Offset(algorithms, "hmc"), 12);
        Assert.Equal(SweepPlots.OffsetStep, SweepPlots.Offset(algorithms, "metropolis"), 12);
        var tau = plots.Single(p => p.Name == "tau_vs_L_chi2").Plot;
        var xs = tau.GetPlottables<ScottPlot.Plottables.Scatter>().SelectMany(s => s.Data.GetScatterPoints().Select(c => c.X)).Order().ToList();
        for (int i = 1; i < xs.Count; i++) Assert.True(xs[i] - xs[i - 1] >= SweepPlots.OffsetStep - 1e-12, $"points {xs[i - 1]} and {xs[i]} overlap");
        Assert.Contains("offset", tau.Axes.Bottom.Label.Text);
        Assert.Contains("1 point with τ_int undefined or undetermined not shown", Title(tau));
        Assert.Contains("open markers", Title(tau));
        Assert.Contains("no plateau, not shown: flow L = 10", Title(plots.Single(p => p.Name == "mpL_vs_L").Plot));
    }

    /// <summary>
    /// A sweep with a flow adds its acceptance against L (flow MH's and the trained flow's on fresh proposals, in the
    /// flow's colour) and against training seconds (one line per L from its checks; points without checks named).
    /// </summary>
    [Fact]
    public void FlowAcceptanceFiguresShowEachPointsNumbers()
    {
        var rows = new List<SweepRow>
        {
            Row("flow", 6, 4) with { Acceptance = 0.6, TrainingAcceptance = 0.62, TrainingChecks = [new(100, 5, 0.3, 0.1), new(200, 10, 0.55, 0.2)] },
            Row("flow", 8, 5) with { Acceptance = 0.4, TrainingAcceptance = 0.45, TrainingChecks = [] },
            Row("hmc", 6, 2),
        };
        var plots = SweepPlots.Build(rows);
        var byL = plots.Single(p => p.Name == "flow_acceptance_vs_L").Plot;
        Render(byL);
        var series = byL.GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        Assert.All(series, s => Assert.Equal(FigureStyle.Algorithm("flow").Color, s.Color));
        var mh = series.Single(s => s.LegendText.StartsWith("flow MH")).Data.GetScatterPoints();
        Assert.Equal([(Math.Log10(6), 0.6), (Math.Log10(8), 0.4)], mh.Select(c => (c.X, c.Y)));
        var fresh = series.Single(s => s.LegendText.StartsWith("trained flow")).Data.GetScatterPoints();
        Assert.Equal([0.62, 0.45], fresh.Select(c => c.Y));

        var bySeconds = plots.Single(p => p.Name == "flow_acceptance_vs_training_seconds").Plot;
        Render(bySeconds);
        var line = Assert.Single(bySeconds.GetPlottables<ScottPlot.Plottables.Scatter>());
        Assert.Equal("L = 6", line.LegendText);
        Assert.Equal([(5.0, 0.3), (10.0, 0.55)], line.Data.GetScatterPoints().Select(c => (c.X, c.Y)));
        Assert.Contains("no periodic checks (flow key check_every): L = 8", Title(bySeconds));

        Assert.DoesNotContain(SweepPlots.Build([Row("hmc", 6, 2), Row("hmc", 8, 3)]), p => p.Name.StartsWith("flow_"));
    }

    /// <summary>A grid over the couplings at one L is no τ_int(L) curve: no fits, and its points are labelled with their couplings.</summary>
    [Fact]
    public void AGridOverTheCouplingsHasNoFitsAndLabelsItsPoints()
    {
        var rows = new List<SweepRow>
        {
            Row("hmc", 4, 2) with { Point = 0 }, Row("hmc", 4, 3) with { Point = 1, Action = Phi4Couplings.Standard(-4, 5) }, Row("hmc", 6, 4) with { Point = 2 },
            Row("flow", 4, 2) with { Point = 0, TrainingChecks = [new(10, 1, 0.2, 0.1)] }, Row("flow", 4, 3) with { Point = 1, Action = Phi4Couplings.Standard(-4, 5), TrainingChecks = [new(10, 1, 0.3, 0.1)] },
            Row("flow", 6, 4) with { Point = 2, TrainingChecks = [new(10, 1, 0.4, 0.1)] },
        };
        Assert.True(SweepSummary.HasRepeatedSizes(rows));
        Assert.Empty(SweepSummary.Fits(rows));
        Assert.NotEmpty(SweepSummary.Fits(rows.Where(r => r.Point != 1).ToList()));
        var lines = SweepPlots.Build(rows).Single(p => p.Name == "flow_acceptance_vs_training_seconds").Plot.GetPlottables<ScottPlot.Plottables.Scatter>();
        Assert.Equal(["L = 4, m² = -4, λ = 6", "L = 4, m² = -4, λ = 5", "L = 6"], lines.Select(l => l.LegendText));
    }

    [Fact]
    public void SweepFiguresOfUndeterminedRowsRender()
    {
        var rows = new List<SweepRow> { Row("hmc", 6, double.NaN), Row("wolff", 6, double.NaN) };
        foreach (var (_, plot) in SweepPlots.Build(rows)) Render(plot);
        Assert.Empty(SweepPlots.Build([]));
    }

    [Fact]
    public void TrainingLossAxisIgnoresAnOutlierFirstStepAndTheLegendCoversNothing()
    {
        var h = new TrainingHistory(20);
        var rng = new Random(1);
        for (int s = 0; s < 200; s++)
            h.Add(new TrainStepMetrics(s, s == 0 ? 300 : s == 50 ? double.NaN : -4 + 0.2 * rng.NextDouble(), 0.3, 0.4, 1, 1e-3), s);
        var plot = h.CreatePlot();
        Render(plot);
        var y = plot.Axes.Left.Range;
        Assert.InRange(y.Max, -3.9, -3.0);
        Assert.InRange(y.Min, -4.6, -4.0);
        Assert.Equal((0.0, 1.0), (plot.Axes.Right.Range.Min, plot.Axes.Right.Range.Max));
        Assert.Contains("1 step outside", Title(plot));
        Assert.Contains("1 step with a non-finite loss", Title(plot));
        Assert.False(plot.Legend.IsVisible);
        Assert.True(plot.Axes.GetPanels().OfType<ScottPlot.Panels.LegendPanel>().Any());
        Assert.All(plot.Axes.Bottom.TickGenerator.Ticks, t => Assert.Equal(Math.Round(t.Position), t.Position));

        Assert.Null(TrainingHistory.LossLimits([double.NaN]));
        var single = TrainingHistory.LossLimits([5.0])!.Value;
        Assert.True(single.Low < 5 && single.High > 5);
        var one = new TrainingHistory(5);
        one.Add(new TrainStepMetrics(0, double.PositiveInfinity, double.NaN, double.NaN, double.NaN, 1e-3), 0);
        Render(one.CreatePlot());
    }

    /// <summary>Title notes break after ", " or "; " into lines that fit the figure; a piece longer than a line stays whole.</summary>
    [Fact]
    public void LongTitleNotesAreWrappedAtTheirSeparators()
    {
        string note = "sticky chains: " + string.Join(", ", Enumerable.Range(1, 12).Select(l => $"L = {l * 8} (2000 of 50000)"));
        var lines = FigureStyle.Wrap(note, FigureStyle.TitleLine).ToList();
        Assert.True(lines.Count > 1);
        Assert.All(lines, l => Assert.True(l.Length <= FigureStyle.TitleLine, l));
        Assert.Equal(note, string.Join(" ", lines));
        Assert.Equal(["a, b; c"], FigureStyle.Wrap("a, b; c", 95));
        Assert.Equal([new string('x', 120)], FigureStyle.Wrap(new string('x', 120), 95));
    }
}
