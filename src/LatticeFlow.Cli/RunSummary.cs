using System.Globalization;
using LatticeFlow.Runs;

namespace LatticeFlow.Cli;

/// <summary>The few lines printed at the end of a `sample` run.</summary>
public static class RunSummary
{
    public static string Format(SampleResult r, SampleSettings s)
    {
        var c = CultureInfo.InvariantCulture;
        string settings = string.Join(", ", r.AlgorithmSettings.Where(kv => kv.Key != "name")
            .Select(kv => $"{kv.Key}={(kv.Value is double d ? d.ToString("G4", c) : kv.Value)}"));
        double perConfig = r.SamplingSeconds / Math.Max(1, r.Configurations);
        return string.Join(Environment.NewLine,
            $"{(r.Completed ? "done" : "interrupted (resume with --resume)")}: {r.Algorithm} on {s.Geometry} (m2={s.Couplings.M2.ToString(c)}, lam={s.Couplings.Lambda.ToString(c)}), {s.Chains} chain(s), device {r.Device}",
            $"  configurations {r.Configurations}/{s.Configurations} (every {s.SaveEvery} update(s)), acceptance {r.MeanAcceptance.ToString("F3", c)}",
            $"  {settings}",
            $"  time: thermalisation {r.ThermalizationSeconds.ToString("F1", c)} s, sampling {r.SamplingSeconds.ToString("F1", c)} s ({(perConfig * 1e3).ToString("G3", c)} ms per configuration)",
            $"  wrote {r.Directory}/ (meta.json, measurements.csv, timeslices.npy{(s.SaveFields ? ", fields.npy" : "")}, checkpoint.bin); analyse with: latticeflow analyze {r.Directory}");
    }
}
