using System.Diagnostics;

namespace LatticeFlow.Runs;

/// <summary>
/// A progress line on stderr: redrawn in place about once a second on a terminal, a plain line every
/// ten seconds when stderr is a file or a pipe (CI logs stay readable).
/// </summary>
public sealed class ProgressReporter(TextWriter? output, bool interactive)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _lastReport;
    private bool _drawn;

    public static ProgressReporter ForStandardError() => new(Console.Error, !Console.IsErrorRedirected);

    public static ProgressReporter Silent => new(null, false);

    /// <param name="phase">e.g. "therm" or "sample".</param>
    /// <param name="done">Units done in this phase; <paramref name="total"/> units in all.</param>
    /// <param name="rate">Units per second.</param>
    /// <param name="detail">Anything else worth a glance (acceptance, step size).</param>
    public void Report(string phase, long done, long total, double rate, string detail, bool force = false)
    {
        if (output is null) return;
        double now = _clock.Elapsed.TotalSeconds;
        if (!force && now - _lastReport < (interactive ? 1.0 : 10.0)) return;
        _lastReport = now;
        double eta = rate > 0 ? (total - done) / rate : double.NaN;
        string line = $"[{phase}] {done}/{total} ({100.0 * done / Math.Max(1, total):F1}%)  {rate:F1}/s  {detail}  ETA {FormatDuration(eta)}";
        if (interactive) { output.Write("\r" + line.PadRight(100)); _drawn = true; }
        else output.WriteLine(line);
    }

    /// <summary>A line of its own (what a resume continues from, …), not redrawn; nothing for <see cref="Silent"/>.</summary>
    public void Note(string line)
    {
        if (output is null) return;
        Finish();
        output.WriteLine(line);
    }

    /// <summary>Ends an in-place line so the next output starts on a fresh one.</summary>
    public void Finish()
    {
        if (_drawn && output is not null) output.WriteLine();
        _drawn = false;
    }

    /// <summary>
    /// A duration as m:ss, h:mm:ss, or with whole days in front ("31d 13:37:58"; TimeSpan's h format drops the days);
    /// "--:--" where it is unknown (no rate yet) or beyond what a TimeSpan holds.
    /// </summary>
    public static string FormatDuration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0 || seconds >= TimeSpan.MaxValue.TotalSeconds - 1) return "--:--";
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        if (t.TotalDays >= 1) return $"{(long)t.TotalDays}d {t:hh\\:mm\\:ss}";
        return t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss");
    }
}
