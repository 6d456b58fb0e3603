using System.IO.Compression;
using System.Text.Json.Nodes;
using LatticeFlow.Files;

namespace LatticeFlow.Analysis;

/// <summary>
/// The primaries in pyerrors' JSON format (fjosw/pyerrors, pyerrors/input/json.py), gzipped as pyerrors writes and reads
/// it by default: one Obs per observable (columns with non-finite values are left out) with its tag as a one-element list, its mean, and per chain ("replica", named
/// "ensemble|rN" as pyerrors names replicas of one ensemble) the deltas from the mean with 1-based configuration
/// numbers; the ensemble id names the algorithm, lattice and couplings. In Python:
/// pyerrors.input.json.load_json("…/analysis_pyerrors.json.gz") returns the list of Obs, each .tag its column name.
/// </summary>
public static class PyerrorsExport
{
    public const string File = "analysis_pyerrors.json.gz";

    public static void Write(string path, RunMeta meta, IReadOnlyList<string> dirs, IReadOnlyList<MeasurementTable> tables, AnalysisOptions o)
    {
        var json = Create(meta, dirs, tables, o).ToJsonString();
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(System.Text.Encoding.UTF8.GetBytes(json + "\n"));
        AtomicFile.WriteAllBytes(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>The ensemble name's action part: φ⁴'s "m2…_lam…" as it has always been; for another action its name and parameters.</summary>
    private static string ActionLabel(Physics.IActionParameters action) => action is Physics.Phi4Couplings c
        ? FormattableString.Invariant($"m2{c.M2}_lam{c.Lambda}")
        : string.Join("_", Physics.Actions.ToJson(action).Select(kv => kv.Key == Physics.Actions.NameKey ? action.ActionName : $"{kv.Key}{kv.Value?.ToJsonString()}"));

    public static JsonObject Create(RunMeta meta, IReadOnlyList<string> dirs, IReadOnlyList<MeasurementTable> tables, AnalysisOptions o)
    {
        string ensemble = FormattableString.Invariant(
            $"latticeflow_{meta.AlgorithmName}_L{meta.Lattice.Geometry}_{ActionLabel(meta.Action)}");
        var obsdata = new JsonArray();
        foreach (string name in tables[0].Names.Where(n => tables.All(t => t.Has(n))))
        {
            var series = tables.SelectMany(t => t.Column(name)).Select(c => PointAnalysis.Bin(c, o.Bin)).ToList();
            // pyerrors' Obs needs finite samples (JSON has no NaN or infinity): a column with any (delta_H of a trajectory
            // that blew up) is left out of the export.
            if (series.Any(x => x.Any(v => !double.IsFinite(v)))) continue;
            double mean = series.SelectMany(x => x).Average();
            var replica = new JsonArray();
            for (int r = 0; r < series.Count; r++)
                replica.Add(new JsonObject
                {
                    ["name"] = $"{ensemble}|r{r}",
                    ["deltas"] = new JsonArray([.. series[r].Select((x, i) => (JsonNode)new JsonArray(i + 1, x - mean))]),
                });
            obsdata.Add(new JsonObject
            {
                ["type"] = "Obs",
                ["layout"] = "1",
                ["tag"] = new JsonArray(name),
                ["value"] = new JsonArray(mean),
                ["data"] = new JsonArray(new JsonObject { ["id"] = ensemble, ["replica"] = replica }),
            });
        }
        return new JsonObject
        {
            ["program"] = "LatticeFlow " + CodeVersion.Current,
            ["version"] = "1.0",
            ["who"] = Environment.UserName,
            ["date"] = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss zz00", System.Globalization.CultureInfo.InvariantCulture),
            ["host"] = Environment.MachineName,
            ["description"] = $"primaries of {string.Join(", ", dirs)} after a thermalisation cut of {o.Thermalization} and blocks of {o.Bin}",
            ["obsdata"] = obsdata,
        };
    }
}
