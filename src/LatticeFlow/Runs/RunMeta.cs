using System.Text.Json;
using System.Text.Json.Nodes;

namespace LatticeFlow.Runs;

/// <summary>
/// meta.json: every parameter, the algorithm's settings and tuned values, seed, code version, device,
/// timings and acceptance, and the run's status ("running", "interrupted", "complete"). Rewritten
/// atomically at every checkpoint, so a reader never sees half a file.
/// </summary>
public static class RunMeta
{
    public const string Format = "latticeflow-run";
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    public static JsonObject Build(SampleSettings s, string device, IReadOnlyDictionary<string, object> algorithm,
        string status, long configurations, long updates, double thermSeconds, double sampleSeconds, double[] acceptance)
    {
        var alg = new JsonObject();
        foreach (var (k, v) in algorithm) alg[k] = v is double d ? Number(d) : JsonValue.Create(v);
        double sampled = configurations * s.SaveEvery;
        return new JsonObject
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion,
            ["status"] = status,
            ["lattice"] = new JsonObject { ["Lx"] = s.Geometry.Lx, ["Ly"] = s.Geometry.Ly, ["d"] = 2 },
            ["physics"] = new JsonObject
            {
                ["action"] = "S = sum_x [ sum_mu (phi(x+mu) - phi(x))^2 + m2 phi^2 + lam phi^4 ]  (Albergo et al. 2019, eq. 20-21)",
                ["m2"] = s.Couplings.M2,
                ["lam"] = s.Couplings.Lambda,
                ["kappa"] = s.Couplings.Kappa,
                ["lam_hop"] = s.Couplings.LambdaHop,
            },
            ["algorithm"] = alg,
            ["chains"] = s.Chains,
            ["n_target"] = s.Configurations,
            ["configs_written"] = configurations,
            ["therm"] = s.Thermalization,
            ["save_every"] = s.SaveEvery,
            ["updates_done"] = updates,
            ["seed"] = s.Seed,
            ["fields_saved"] = s.SaveFields,
            ["code_version"] = CodeVersion.Current,
            ["device"] = device,
            ["timings"] = new JsonObject
            {
                ["thermalization_seconds"] = thermSeconds,
                ["sampling_seconds"] = sampleSeconds,
                ["seconds_per_update"] = sampled > 0 ? sampleSeconds / sampled : null,
            },
            ["acceptance"] = new JsonObject
            {
                ["mean"] = acceptance.Length > 0 && configurations > 0 ? Number(acceptance.Average()) : null,
                ["per_chain"] = new JsonArray(acceptance.Select(Number).ToArray()),
            },
            ["files"] = new JsonObject
            {
                ["fields"] = s.SaveFields ? (s.Chains == 1 ? "fields.npy [N, Lx, Ly] float64" : "fields.npy [N, B, Lx, Ly] float64") : null,
                ["timeslices"] = "timeslices.npy [N, B, Ly] float64: T(t) = sum_x1 phi(x1, t)",
                ["measurements"] = "measurements.csv: " + MeasurementsCsv.Header,
            },
        };
    }

    /// <summary>JSON has no NaN: a number not yet known is null.</summary>
    /// <summary>A number for JSON, which has no NaN or infinities: null where the value is not finite.</summary>
    public static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    public static void Write(string dir, JsonObject meta)
    {
        string path = RunFiles.Path(dir, RunFiles.Meta);
        File.WriteAllText(path + ".tmp", meta.ToJsonString(Indented) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public static JsonObject Read(string dir)
    {
        string path = RunFiles.Path(dir, RunFiles.Meta);
        if (!File.Exists(path)) throw new InvalidInputException($"{dir}: not a LatticeFlow run (no {RunFiles.Meta})");
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            if (node?["format"]?.GetValue<string>() != Format) throw new InvalidInputException($"{path}: not a LatticeFlow run description");
            return node;
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: unreadable ({e.Message})");
        }
    }
}
