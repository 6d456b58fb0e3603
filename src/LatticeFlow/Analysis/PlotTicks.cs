using System.Globalization;
using ScottPlot;

namespace LatticeFlow.Analysis;

/// <summary>
/// Labels only at whole numbers, for axes whose quantity is an integer (t, L, Monte Carlo time, steps, counts): every
/// 1, 2, 5, 10, 20, … units, the smallest step whose labels do not collide; unlabelled minor ticks also at integers.
/// </summary>
public sealed class IntegerTicks : ITickGenerator
{
    public Tick[] Ticks { get; set; } = [];
    public int MaxTickCount { get; set; } = 10_000;

    public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
    {
        bool vertical = edge is Edge.Left or Edge.Right;
        Ticks = Generate(range.Min, range.Max, size.Length, s => vertical ? labelStyle.Measure(s, paint).Height : labelStyle.Measure(s, paint).Width);
    }

    /// <summary>The ticks over [<paramref name="min"/>, <paramref name="max"/>] on an axis <paramref name="pixels"/> long, whose labels measure <paramref name="extent"/> along it.</summary>
    public static Tick[] Generate(double min, double max, double pixels, Func<string, double> extent)
    {
        if (!(max > min) || !double.IsFinite(min) || !double.IsFinite(max) || !(pixels > 0)) return [];
        double perUnit = pixels / (max - min);
        for (double step = 1; step < 1e300; step = NextStep(step))
        {
            double first = Math.Ceiling(min / step) * step;
            var majors = new List<double>();
            for (double v = first; v <= max && majors.Count < 10_000; v += step) majors.Add(v);
            if (majors.Count > 1 && !Fits(majors, perUnit, extent)) continue;
            var ticks = majors.Select(v => Tick.Major(v + 0.0, Label(v))).ToList();
            double minor = step % 5 == 0 ? step / 5 : step % 2 == 0 ? step / 2 : 0;
            if (minor >= 1 && minor * perUnit >= 4)
                for (double v = Math.Ceiling(min / minor) * minor; v <= max; v += minor)
                    if (Math.Abs(v / step - Math.Round(v / step)) > 1e-9) ticks.Add(Tick.Minor(v));
            return [.. ticks];
        }
        return [];
    }

    private static double NextStep(double step)
    {
        double decade = Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9));
        double m = Math.Round(step / decade);
        return m switch { 1 => 2 * decade, 2 => 5 * decade, _ => 10 * decade };
    }

    private static bool Fits(List<double> at, double perUnit, Func<string, double> extent)
    {
        for (int i = 1; i < at.Count; i++)
            if ((at[i] - at[i - 1]) * perUnit < (extent(Label(at[i - 1])) + extent(Label(at[i]))) / 2 + 10) return false;
        return true;
    }

    internal static string Label(double v) => (Math.Round(v) + 0.0).ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>
/// Ticks for an axis that holds log10 of its quantity, labelled with the quantity itself. At least three labels at any
/// range where they fit: decades (every 1, 2, 3, 5, 10, … decades) where the axis spans three or more; else 1, 2, 5 per
/// decade; else 1 … 9 per decade; else, within less than a factor of about 1.5, evenly spaced values (0.030, 0.035, …).
/// Unlabelled minor ticks at the other integers times a decade. Values from 10⁻⁴ to 10⁶ are written as decimals, others
/// as m×10ⁿ.
/// </summary>
public sealed class LogTicks : ITickGenerator
{
    public Tick[] Ticks { get; set; } = [];
    public int MaxTickCount { get; set; } = 10_000;

    public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
    {
        bool vertical = edge is Edge.Left or Edge.Right;
        Ticks = Generate(range.Min, range.Max, size.Length, s => vertical ? labelStyle.Measure(s, paint).Height : labelStyle.Measure(s, paint).Width);
    }

    private static readonly int[] OneTwoFive = [1, 2, 5], AllDigits = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    /// <summary>The ticks over log10 values [<paramref name="min"/>, <paramref name="max"/>] on an axis <paramref name="pixels"/> long, whose labels measure <paramref name="extent"/> along it.</summary>
    public static Tick[] Generate(double min, double max, double pixels, Func<string, double> extent)
    {
        if (!(max > min) || !double.IsFinite(min) || !double.IsFinite(max) || !(pixels > 0) || max - min > 600) return [];
        double perDecade = pixels / (max - min);
        bool Fits(List<double> at)
        {
            for (int i = 1; i < at.Count; i++)
                if ((at[i] - at[i - 1]) * perDecade < (extent(Label(at[i - 1])) + extent(Label(at[i]))) / 2 + 10) return false;
            return true;
        }

        // Decades, every k-th where every one would crowd.
        List<double>? decades = null;
        int every = 1;
        foreach (int k in new[] { 1, 2, 3, 5, 10, 20, 50, 100 })
        {
            var at = new List<double>();
            for (double j = Math.Ceiling(min / k) * k; j <= max; j += k) at.Add(j);
            if (Fits(at)) { decades = at; every = k; break; }
        }
        if (decades is { Count: >= 3 })
        {
            var minor = new List<double>();
            if (every == 1 && perDecade * Math.Log10(10.0 / 9) >= 3)
                minor = Mantissas(min, max, [2, 3, 4, 5, 6, 7, 8, 9]);
            else if (every > 1 && perDecade >= 4)
                for (double j = Math.Ceiling(min); j <= max; j++) if (j % every != 0) minor.Add(j);
            return Build(decades, minor);
        }
        var oneTwoFive = Mantissas(min, max, OneTwoFive);
        if (oneTwoFive.Count >= 3 && Fits(oneTwoFive)) return Build(oneTwoFive, Mantissas(min, max, [3, 4, 6, 7, 8, 9]));
        var digits = Mantissas(min, max, AllDigits);
        if (digits.Count >= 3 && Fits(digits)) return Build(digits, []);
        if (decades is { Count: 2 }) return Build(decades, perDecade * Math.Log10(10.0 / 9) >= 3 ? Mantissas(min, max, [2, 3, 4, 5, 6, 7, 8, 9]) : []);

        // Less than a factor of ~1.5: evenly spaced values, the largest 1-2-5 step that gives three or more.
        double lo = Math.Pow(10, min), hi = Math.Pow(10, max), step = NiceBelow((hi - lo) / 3);
        var linear = new List<double>();
        for (double v = Math.Ceiling(lo / step) * step; v <= hi * (1 + 1e-12) && linear.Count < 100; v += step) linear.Add(Math.Log10(Round(v)));
        return Build(linear, []);
    }

    private static List<double> Mantissas(double min, double max, int[] mantissas)
    {
        var at = new List<double>();
        for (double j = Math.Floor(min); j <= Math.Ceiling(max); j++)
            foreach (int m in mantissas)
            {
                double p = j + Math.Log10(m);
                if (p >= min - 1e-12 && p <= max + 1e-12) at.Add(p);
            }
        return at;
    }

    private static Tick[] Build(List<double> majors, List<double> minors) =>
        [.. majors.Select(p => Tick.Major(p, Label(p))), .. minors.Select(Tick.Minor)];

    private static double NiceBelow(double x)
    {
        double decade = Math.Pow(10, Math.Floor(Math.Log10(x)));
        double m = x / decade;
        return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * decade;
    }

    private static double Round(double v) => double.Parse(v.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>The label of the tick at log10 value <paramref name="p"/>: the value as a decimal from 10⁻⁴ to 10⁶, else m×10ⁿ.</summary>
    public static string Label(double p)
    {
        double v = Round(Math.Pow(10, p));
        if (v >= 1e-4 && v < 1e6) return v.ToString("0.##########", CultureInfo.InvariantCulture);
        int e = (int)Math.Floor(Math.Log10(v) + 1e-9);
        double m = Round(v / Math.Pow(10, e));
        string exponent = Superscript(e);
        return m == 1 ? "10" + exponent : m.ToString("0.###", CultureInfo.InvariantCulture) + "×10" + exponent;
    }

    private static string Superscript(int e) =>
        string.Concat(e.ToString(CultureInfo.InvariantCulture).Select(c => c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']));
}
