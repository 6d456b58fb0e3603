using System.Globalization;

namespace LatticeFlow.Flows;

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
    public bool WindowFull => _rows.Count >= _window;

    public void Add(TrainStepMetrics m, double seconds)
    {
        int n = Math.Min(_window - 1, _rows.Count);
        double ess = m.Ess, acc = m.Acceptance;
        for (int j = _rows.Count - n; j < _rows.Count; j++) { ess += _rows[j][2]; acc += _rows[j][3]; }
        RunningEss = ess / (n + 1);
        RunningAcceptance = acc / (n + 1);
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

    /// <summary>training.png and training.svg: loss against step, and running ESS and acceptance against step.</summary>
    public void Plot(string directory)
    {
        if (_rows.Count == 0) return;
        double[] step = [.. _rows.Select(r => r[0])];
        var plot = new ScottPlot.Plot();
        var loss = plot.Add.ScatterLine(step, [.. _rows.Select(r => r[1])]);
        loss.LegendText = "loss = <log q + S> (left axis)";
        plot.YLabel("reverse-KL loss (up to log Z)");
        var ess = plot.Add.ScatterLine(step, [.. _rows.Select(r => r[4])]);
        ess.LegendText = "batch ESS, running (right axis)";
        ess.Axes.YAxis = plot.Axes.Right;
        var acc = plot.Add.ScatterLine(step, [.. _rows.Select(r => r[5])]);
        acc.LegendText = "Metropolis acceptance, running (right axis)";
        acc.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "ESS, acceptance";
        plot.Axes.Right.Min = 0;
        plot.Axes.Right.Max = 1;
        plot.XLabel("step");
        plot.Title("Flow training");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, "training.png"), 900, 600);
        plot.SaveSvg(Path.Combine(directory, "training.svg"), 900, 600);
    }
}
