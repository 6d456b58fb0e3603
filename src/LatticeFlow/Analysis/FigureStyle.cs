using System.Globalization;
using ScottPlot;

namespace LatticeFlow.Analysis;

/// <summary>How one sampler is drawn: its colour, its marker, and the open marker of its points left out of a fit.</summary>
public readonly record struct SeriesStyle(Color Color, MarkerShape Marker, MarkerShape OpenMarker);

/// <summary>
/// What every figure of `analyze`, `sweep` and `train` shares: one colour and marker per sampler (the same in every
/// figure), integer and log axes, legends outside the data, error bars on log axes, notes on what was left out,
/// and saving as PNG and SVG. Log axes plot log10 of the values; <see cref="LogTicks"/> labels them with the values.
/// </summary>
public static class FigureStyle
{
    public const int Width = 900, Height = 600;

    // Okabe & Ito's colour-blind-safe palette (2008); every sampler also has its own marker.
    private static readonly Dictionary<string, SeriesStyle> Fixed = new()
    {
        ["flow"] = new(Color.FromHex("#0072B2"), MarkerShape.FilledCircle, MarkerShape.OpenCircle),
        ["hmc"] = new(Color.FromHex("#D55E00"), MarkerShape.FilledSquare, MarkerShape.OpenSquare),
        ["metropolis"] = new(Color.FromHex("#009E73"), MarkerShape.FilledTriangleUp, MarkerShape.OpenTriangleUp),
        ["cluster"] = new(Color.FromHex("#CC79A7"), MarkerShape.FilledDiamond, MarkerShape.OpenDiamond),
    };

    private static readonly Color[] FallbackColors =
        [Color.FromHex("#E69F00"), Color.FromHex("#56B4E9"), Color.FromHex("#000000"), Color.FromHex("#8C564B"), Color.FromHex("#7F7F7F")];

    private static readonly (MarkerShape Filled, MarkerShape Open)[] FallbackMarkers =
        [(MarkerShape.FilledTriangleDown, MarkerShape.OpenTriangleDown), (MarkerShape.FilledDiamond, MarkerShape.OpenDiamond)];

    /// <summary>
    /// The samplers with a fixed style, in the order in which figures list them: every registered sampler
    /// (Sampling.Samplers; a test checks that none is missing).
    /// </summary>
    public static IReadOnlyList<string> KnownAlgorithms { get; } = ["flow", "hmc", "metropolis", "cluster"];

    /// <summary>
    /// The style of a sampler: fixed for flow, HMC, Metropolis and the cluster hybrid; any other name gets one of the
    /// remaining colours and markers from a hash of its name (FNV-1a, not string.GetHashCode, which changes between processes).
    /// </summary>
    public static SeriesStyle Algorithm(string name)
    {
        if (Fixed.TryGetValue(name, out var style)) return style;
        uint h = 2166136261;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(name)) h = (h ^ b) * 16777619;
        var (filled, open) = FallbackMarkers[(h / (uint)FallbackColors.Length) % (uint)FallbackMarkers.Length];
        return new SeriesStyle(FallbackColors[h % (uint)FallbackColors.Length], filled, open);
    }

    /// <summary>Algorithms in the order figures draw and offset them: the known ones first, then the others by name.</summary>
    public static IReadOnlyList<string> Order(IEnumerable<string> algorithms) =>
        [.. algorithms.Distinct().OrderBy(a => KnownAlgorithms.Contains(a) ? KnownAlgorithms.ToList().IndexOf(a) : int.MaxValue).ThenBy(a => a, StringComparer.Ordinal)];

    /// <summary>Labels only at whole numbers (Monte Carlo time, t, L, steps, counts).</summary>
    public static void IntegerAxis(IAxis axis) => axis.TickGenerator = new IntegerTicks();

    /// <summary>An axis that shows log10 of its values, labelled with the values (<see cref="LogTicks"/>).</summary>
    public static void LogAxis(IAxis axis) => axis.TickGenerator = new LogTicks();

    /// <summary>The legend below the figure, where it covers no data.</summary>
    public static void LegendBelow(Plot plot) => plot.ShowLegend(Edge.Bottom);

    /// <summary>
    /// A title with its notes (what was left out, conventions) below it, each note on lines of at most
    /// <see cref="TitleLine"/> characters, broken after ", " or "; " (a long line is cut off at the figure's edges).
    /// </summary>
    public static void Title(Plot plot, string title, IEnumerable<string?> notes)
    {
        var lines = new List<string> { title };
        foreach (var note in notes.Where(s => !string.IsNullOrEmpty(s))) lines.AddRange(Wrap(note!, TitleLine));
        plot.Title(string.Join("\n", lines));
    }

    /// <summary>Characters of a title line that fit the 900-pixel figures in the title's font.</summary>
    public const int TitleLine = 95;

    /// <summary><paramref name="text"/> in lines of at most <paramref name="width"/> characters where it has breaks (after ", " or "; ") to allow it.</summary>
    public static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new System.Text.StringBuilder();
        foreach (var piece in System.Text.RegularExpressions.Regex.Split(text, "(?<=[,;] )"))
        {
            if (line.Length > 0 && line.Length + piece.Length > width)
            {
                yield return line.ToString().TrimEnd();
                line.Clear();
            }
            line.Append(piece);
        }
        if (line.Length > 0) yield return line.ToString().TrimEnd();
    }

    /// <summary>A figure with nothing to draw: the reason in the middle, and axes from 0 to 1 without misleading numbers.</summary>
    public static void Nothing(Plot plot, string reason)
    {
        var a = plot.Add.Annotation(reason, Alignment.MiddleCenter);
        a.LabelFontSize = 16;
        a.LabelBackgroundColor = Colors.White;
        a.LabelBorderColor = Colors.Gray;
        a.LabelShadowColor = Colors.Transparent;
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.EmptyTickGenerator();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.EmptyTickGenerator();
    }

    /// <summary>
    /// Points (x, log10 y) with asymmetric error bars from y − e to y + e on a log axis. Points whose y is not positive
    /// and finite are left out (counted in <see cref="LogSeries.Left"/>); an error that is not finite and positive draws
    /// no bar (counted in <see cref="LogSeries.NoError"/>); a bar whose lower end is ≤ 0 runs to the axis' bottom
    /// (<paramref name="bottom"/>, in log10), counted in <see cref="LogSeries.Clipped"/>.
    /// </summary>
    public static LogSeries OnLogAxis(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double>? error)
    {
        var s = new LogSeries();
        for (int i = 0; i < x.Count; i++)
        {
            if (!(y[i] > 0) || !double.IsFinite(y[i]) || !double.IsFinite(x[i])) { s.Left++; continue; }
            double ly = Math.Log10(y[i]), e = error?[i] ?? double.NaN;
            s.X.Add(x[i]);
            s.Y.Add(ly);
            if (error is not null && !(e > 0 && double.IsFinite(e))) s.NoError++;
            bool bar = e > 0 && double.IsFinite(e);
            s.Up.Add(bar ? Math.Log10(y[i] + e) - ly : 0);
            s.Down.Add(bar && y[i] - e > 0 ? ly - Math.Log10(y[i] - e) : 0);
            if (bar && !(y[i] - e > 0)) { s.Clipped++; s.ClippedAt.Add(s.Y.Count - 1); }
        }
        return s;
    }

    /// <summary>The range (in log10) that holds every point and error bar of <paramref name="series"/> (bars clipped at 0 excluded), padded by 5 %.</summary>
    public static (double Bottom, double Top)? LogRange(IEnumerable<LogSeries> series)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var s in series)
            for (int i = 0; i < s.Y.Count; i++)
            {
                lo = Math.Min(lo, s.Y[i] - s.Down[i]);
                hi = Math.Max(hi, s.Y[i] + s.Up[i]);
            }
        if (!double.IsFinite(lo)) return null;
        double pad = Math.Max(0.05 * (hi - lo), 0.05);
        return (lo - pad, hi + pad);
    }

    /// <summary>Draws <paramref name="s"/> as markers with error bars; bars clipped at 0 run down to <paramref name="bottom"/>.</summary>
    public static (ScottPlot.Plottables.Scatter Points, ScottPlot.Plottables.ErrorBar Bars) Draw(Plot plot, LogSeries s, double bottom, Color color)
    {
        double[] down = [.. s.Down];
        foreach (int i in s.ClippedAt) down[i] = s.Y[i] - bottom;
        var bars = new ScottPlot.Plottables.ErrorBar(s.X, s.Y, null, null, s.Up, down) { Color = color };
        plot.Add.Plottable(bars);
        var points = plot.Add.Scatter(s.X.ToArray(), s.Y.ToArray(), color);
        return (points, bars);
    }

    /// <summary>"1.234 ± 0.056", or what the error is where it is not a number.</summary>
    public static string Describe(GammaResult r, string format = "G4") => r.Status switch
    {
        ErrorStatus.Constant => $"{Number(r.Value, format)} (constant)",
        ErrorStatus.Undetermined => $"{Number(r.Value, format)} (error undetermined)",
        _ => $"{Number(r.Value, format)} ± {Number(r.Error, "G2")}",
    };

    public static string Number(double x, string format = "G4") => double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "undefined";

    /// <summary>"3 points" / "1 point".</summary>
    public static string Count(int n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";

    public static void Save(Plot plot, string pathWithoutExtension)
    {
        Files.AtomicFile.WriteAllBytes(pathWithoutExtension + ".png", plot.GetImageBytes(Width, Height, ImageFormat.Png));
        Files.AtomicFile.WriteAllText(pathWithoutExtension + ".svg", plot.GetSvgXml(Width, Height));
    }
}

/// <summary>One series prepared for a log axis by <see cref="FigureStyle.OnLogAxis"/>.</summary>
public sealed class LogSeries
{
    public List<double> X { get; } = [];
    /// <summary>log10 of the values.</summary>
    public List<double> Y { get; } = [];
    /// <summary>Error bar lengths up and down, in log10.</summary>
    public List<double> Up { get; } = [];
    public List<double> Down { get; } = [];
    internal List<int> ClippedAt { get; } = [];
    /// <summary>Points left out: not positive or not finite.</summary>
    public int Left { get; set; }
    /// <summary>Points drawn without an error bar (error undetermined, or 0).</summary>
    public int NoError { get; set; }
    /// <summary>Points whose error bar reaches 0 or below, drawn to the bottom of the axis.</summary>
    public int Clipped { get; set; }
}
