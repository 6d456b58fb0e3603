using System.Text.Json.Nodes;

namespace LatticeFlow.Analysis;

/// <summary>
/// The primaries in pyerrors' JSON format 1.0 (pyerrors/examples/json_schema.json): one Obs per observable, its
/// mean and, per chain ("replica"), the deltas from the mean with 1-based configuration numbers; the ensemble id
/// names the lattice and couplings. In Python: pyerrors.input.json.load_json("analysis_pyerrors.json").
/// </summary>
public static class PyerrorsExport
{
    public static JsonObject Create(IReadOnlyList<string> dirs, IReadOnlyList<MeasurementTable> tables, AnalysisOptions o)
    {
        var meta = Runs.RunMeta.Read(dirs[0]);
        string ensemble = FormattableString.Invariant(
            $"latticeflow_{meta.AlgorithmName}_L{meta.Lattice.Lx}x{meta.Lattice.Ly}_m2{meta.Physics.M2}_lam{meta.Physics.Lam}");
        var obsdata = new JsonArray();
        foreach (string name in tables[0].Names.Where(n => n is not "config" and not "chain"))
        {
            var series = tables.SelectMany(t => t.Column(name)).Select(c => RunAnalysis.Bin(c, o.Bin)).ToList();
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
                ["tag"] = name,
                ["value"] = new JsonArray(mean),
                ["data"] = new JsonArray(new JsonObject { ["id"] = ensemble, ["replica"] = replica }),
            });
        }
        return new JsonObject
        {
            ["program"] = "LatticeFlow " + Runs.CodeVersion.Current,
            ["version"] = "1.0",
            ["who"] = Environment.UserName,
            ["date"] = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss zz00", System.Globalization.CultureInfo.InvariantCulture),
            ["host"] = Environment.MachineName,
            ["description"] = $"primaries of {string.Join(", ", dirs)} after --therm {o.Thermalization}, --bin {o.Bin}",
            ["obsdata"] = obsdata,
        };
    }
}
