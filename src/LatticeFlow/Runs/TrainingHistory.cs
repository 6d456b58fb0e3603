using System.Globalization;
using LatticeFlow.Flows;

namespace LatticeFlow.Runs;

/// <summary>
/// history.csv, one row per step: step, loss, ess, acceptance (this batch's independence-Metropolis chain),
/// the running means of the last window of steps, gradient norm, learning rate, elapsed seconds. Rows are kept in memory
/// for the plot; on resume, rows after the checkpoint's step are dropped.
/// </summary>
public sealed class TrainingHistory
{
    public const string Header = "step,loss,ess,acceptance,ess_running,acceptance_running,grad_norm,lr,seconds";

    private readonly List<double[]> _rows = [];
    private readonly int _window;

    public TrainingHistory(int window) => _window = Math.Max(1, window);

    public IReadOnlyList<double[]> Rows => _rows;
    public double RunningEss { get; private set; } = double.NaN;
    public double RunningAcceptance { get; private set; } = double.NaN;

    /// <summary>The mean loss of the same window: one batch's loss scatters by several units around it.</summary>
    public double RunningLoss { get; private set; } = double.NaN;
    public bool WindowFull => _rows.Count >= _window;

    public void Add(TrainStepMetrics m, double seconds)
    {
        int n = Math.Min(_window - 1, _rows.Count);
        double ess = m.Ess, acc = m.Acceptance, loss = m.Loss;
        for (int j = _rows.Count - n; j < _rows.Count; j++) { ess += _rows[j][2]; acc += _rows[j][3]; loss += _rows[j][1]; }
        RunningEss = ess / (n + 1);
        RunningAcceptance = acc / (n + 1);
        RunningLoss = loss / (n + 1);
        _rows.Add([m.Step, m.Loss, m.Ess, m.Acceptance, RunningEss, RunningAcceptance, m.GradientNorm, m.LearningRate, seconds]);
    }

    public void Write(string path)
    {
        var w = new System.Text.StringBuilder(Header).Append('\n');
        foreach (var r in _rows)
            w.AppendJoin(',', r.Select((v, j) => j == 0 ? ((long)v).ToString(CultureInfo.InvariantCulture) : v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        Files.AtomicFile.WriteAllText(path, w.ToString());
    }

    /// <summary>Reads a history.csv, keeping rows with step &lt; <paramref name="upToStep"/>.</summary>
    public static TrainingHistory Read(string path, long upToStep, int window)
    {
        var h = new TrainingHistory(window);
        if (!File.Exists(path)) return h;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length < 9) throw new InvalidInputException($"{path}: malformed row '{line}'");
            var v = f.Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            if (v[0] >= upToStep) break;
            h.Add(new TrainStepMetrics((long)v[0], v[1], v[2], v[3], v[6], v[7]), v[8]);
        }
        return h;
    }

    /// <summary>training.png and training.svg (<see cref="CreatePlot"/>); nothing for an empty history.</summary>
    public void Plot(string directory)
    {
        if (_rows.Count == 0) return;
        Analysis.FigureStyle.Save(CreatePlot(), Path.Combine(directory, "training"));
    }

    /// <summary>
    /// Loss against step (each batch faint, a short running mean bold) on the left axis; the running
    /// ESS and Metropolis acceptance on the right axis, from 0 to 1; the legend below the figure. The loss axis is set by
    /// <see cref="LossLimits"/>, so that the first steps' loss (often 100× the converged one) does not flatten the rest;
    /// the title says how many steps lie outside it. Non-finite losses are left out and counted.
    /// </summary>
    public ScottPlot.Plot CreatePlot()
    {
        var plot = new ScottPlot.Plot();
        plot.XLabel("training step");
        Analysis.FigureStyle.IntegerAxis(plot.Axes.Bottom);
        var notes = new List<string?>();
        double[] step = [.. _rows.Select(r => r[0])], loss = [.. _rows.Select(r => r[1])];
        // The loss is smoothed over a short trailing window (N/25 steps, at most the stop window): over the whole stop
        // window the first steps' loss would hold the mean far above the batches for a hundred steps.
        int smooth = Math.Clamp(step.Length / 25, 1, _window);
        double[] running = RunningMean(loss, smooth);
        var finite = Enumerable.Range(0, step.Length).Where(i => double.IsFinite(loss[i])).ToArray();
        if (finite.Length < step.Length) notes.Add($"{Analysis.FigureStyle.Count(step.Length - finite.Length, "step")} with a non-finite loss not shown");
        var limits = LossLimits(loss);
        if (finite.Length > 0)
        {
            var raw = plot.Add.ScatterLine(finite.Select(i => step[i]).ToArray(), finite.Select(i => loss[i]).ToArray(), ScottPlot.Colors.C0.WithAlpha(0.35));
            raw.LegendText = "loss of each batch = ⟨log q + S⟩ (left axis)";
            var rf = Enumerable.Range(0, step.Length).Where(i => double.IsFinite(running[i])).ToArray();
            var mean = plot.Add.ScatterLine(rf.Select(i => step[i]).ToArray(), rf.Select(i => running[i]).ToArray(), ScottPlot.Colors.C0);
            mean.LineWidth = 2;
            mean.LegendText = $"loss, running mean over {smooth} steps (left axis)";
        }
        if (limits is var (lo, hi, outside, from))
        {
            plot.Axes.SetLimitsY(lo, hi, plot.Axes.Left);
            if (outside > 0) notes.Add($"loss axis from the 1-99 % range of steps ≥ {from}; {Analysis.FigureStyle.Count(outside, "step")} outside it");
        }
        plot.YLabel("reverse-KL loss (= KL(q‖p) − log Z)");
        var ess = plot.Add.ScatterLine(step, [.. _rows.Select(r => r[4])], ScottPlot.Colors.C1);
        ess.LegendText = $"batch ESS, running mean over {_window} steps (right axis)";
        ess.Axes.YAxis = plot.Axes.Right;
        var acc = plot.Add.ScatterLine(step, [.. _rows.Select(r => r[5])], ScottPlot.Colors.C2);
        acc.LegendText = $"Metropolis acceptance, running mean over {_window} steps (right axis)";
        acc.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "ESS / batch size, acceptance";
        plot.Axes.SetLimitsY(0, 1, plot.Axes.Right);
        if (step.Length > 0) plot.Axes.SetLimitsX(step[0], Math.Max(step[^1], step[0] + 1));
        Analysis.FigureStyle.Title(plot, "Flow training", notes);
        Analysis.FigureStyle.LegendBelow(plot);
        return plot;
    }

    private static double[] RunningMean(double[] x, int window)
    {
        var m = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double sum = 0;
            int n = 0;
            for (int j = Math.Max(0, i - window + 1); j <= i; j++)
                if (double.IsFinite(x[j])) { sum += x[j]; n++; }
            m[i] = n > 0 ? sum / n : double.NaN;
        }
        return m;
    }

    /// <summary>
    /// The loss axis: the 1st to 99th percentile of the finite losses from step index <c>From</c> = N/10 on (at least 1,
    /// so the first step never sets it), widened by 10 % on each side; <c>Outside</c> counts the finite losses beyond it.
    /// Null where no loss is finite. A constant loss gets ±1.
    /// </summary>
    public static (double Low, double High, int Outside, int From)? LossLimits(IReadOnlyList<double> loss)
    {
        int from = loss.Count > 1 ? Math.Max(1, loss.Count / 10) : 0;
        var later = loss.Skip(from).Where(double.IsFinite).Order().ToArray();
        if (later.Length == 0) { from = 0; later = [.. loss.Where(double.IsFinite).Order()]; }
        if (later.Length == 0) return null;
        double Percentile(double q)
        {
            double pos = q * (later.Length - 1);
            int i = (int)Math.Floor(pos);
            return i + 1 < later.Length ? later[i] + (pos - i) * (later[i + 1] - later[i]) : later[i];
        }
        double p1 = Percentile(0.01), p99 = Percentile(0.99);
        double pad = p99 > p1 ? 0.1 * (p99 - p1) : Math.Max(1, Math.Abs(p1) * 0.1);
        double lo = p1 - pad, hi = p99 + pad;
        int outside = loss.Count(x => double.IsFinite(x) && (x < lo || x > hi));
        return (lo, hi, outside, from);
    }
}
