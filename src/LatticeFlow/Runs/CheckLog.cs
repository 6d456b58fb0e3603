using System.Globalization;
using LatticeFlow.Flows;

namespace LatticeFlow.Runs;

/// <summary>
/// checks.csv: step, seconds, acceptance, ess of every check of a training run on fresh proposals (the independence
/// Metropolis acceptance and ESS per proposal, <see cref="FlowEvaluation"/>): the flow's quality against training
/// time. Rewritten whole (atomically) at each checkpoint; on resume, checks after the checkpoint's step are dropped.
/// </summary>
public sealed class CheckLog
{
    public const string File = "checks.csv", Header = "step,seconds,acceptance,ess";

    private readonly List<FlowCheck> _checks = [];

    public IReadOnlyList<FlowCheck> Checks => _checks;

    /// <summary>The check with the highest acceptance (the latest of equals), or null before the first.</summary>
    public FlowCheck? Best => _checks.Count == 0 ? null : _checks.Aggregate((a, b) => b.Acceptance >= a.Acceptance ? b : a);

    public void Add(FlowCheck check) => _checks.Add(check);

    public void Write(string path)
    {
        var c = CultureInfo.InvariantCulture;
        Files.AtomicFile.WriteAllText(path, Header + "\n" + string.Concat(_checks.Select(k =>
            $"{k.Step.ToString(c)},{k.Seconds.ToString("R", c)},{k.Acceptance.ToString("R", c)},{k.Ess.ToString("R", c)}\n")));
    }

    /// <summary>The checks of a checks.csv up to and including <paramref name="upToStep"/>; empty where there is no file.</summary>
    /// <exception cref="InvalidInputException">A malformed row.</exception>
    public static CheckLog Read(string path, long upToStep)
    {
        var log = new CheckLog();
        if (!System.IO.File.Exists(path)) return log;
        foreach (var line in System.IO.File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length != 4 || !long.TryParse(f[0], CultureInfo.InvariantCulture, out long step))
                throw new InvalidInputException($"{path}: malformed row '{line}'");
            if (step > upToStep) break;
            double D(string x) => double.Parse(x, NumberStyles.Float, CultureInfo.InvariantCulture);
            log.Add(new FlowCheck(step, D(f[1]), D(f[2]), D(f[3])));
        }
        return log;
    }
}
