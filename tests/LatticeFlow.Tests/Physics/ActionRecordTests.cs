using System.Text.Json;
using System.Text.Json.Nodes;
using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Flows;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Tests.Flows;

namespace LatticeFlow.Tests.Physics;

/// <summary>
/// The action record (Physics/Actions.cs): every file writes the parameters record whole, with its name, and reads it
/// back through the registry; files written before it (separate m2/lam fields) read as what they were.
/// </summary>
public class ActionRecordTests
{
    private sealed record Holder(IActionParameters Action);

    private static readonly Phi4Couplings Hopping = Phi4Couplings.Hopping(0.18, 0.02);

    [Fact]
    public void TheRegistryListsEachActionOnceWithItsRecordType()
    {
        Assert.Equal(Actions.All.Count, Actions.All.Select(k => k.Name).Distinct().Count());
        Assert.All(Actions.All, k => Assert.True(typeof(IActionParameters).IsAssignableFrom(k.ParametersType)));
        Assert.Equal("phi4", Actions.All[0].Name);
        Assert.Equal(Phi4Couplings.Tutorial.ActionName, Actions.Named("phi4").Name);
    }

    [Fact]
    public void ARecordIsOneObjectWithTheActionsNameAndRoundTripsBitForBit()
    {
        Assert.Equal("""{"name":"phi4","m2":-4,"lambda":8}""", Actions.Describe(Phi4Couplings.Tutorial));
        Assert.Equal("""{"Action":{"name":"phi4","m2":-4,"lambda":8}}""", JsonSerializer.Serialize(new Holder(Phi4Couplings.Tutorial)));
        foreach (var c in new[] { Phi4Couplings.Tutorial, Hopping, Phi4Couplings.Standard(0.1 + 0.2, 1.0 / 3) })
        {
            // Through the file conventions of each format: snake_case (meta.json, model files) and as declared (checkpoints).
            foreach (var options in new[] { JsonFiles.Options, new JsonSerializerOptions() })
            {
                var back = (Phi4Couplings)JsonSerializer.Deserialize<Holder>(JsonSerializer.Serialize(new Holder(c), options), options)!.Action;
                Assert.Equal((c.M2, c.Lambda, c.Kappa, c.LambdaHop), (back.M2, back.Lambda, back.Kappa, back.LambdaHop));
            }
        }
        var hop = Actions.ToJson(Hopping);
        Assert.Equal(["name", "m2", "lambda", "kappa", "lambda_hop"], hop.Select(kv => kv.Key));
    }

    [Theory]
    [InlineData("""{"name": "phi6", "m2": 1}""", "action 'phi6' is not known to this build (known: phi4)")]
    [InlineData("""{"m2": -4, "lambda": 8}""", "an action record needs its \"name\"")]
    [InlineData("""{"name": "phi4", "m2": -4}""", "action 'phi4': unreadable parameters")]
    [InlineData("""{"name": "phi4", "m2": -4, "lambda": -1}""", "action 'phi4': lambda = -1: λ must be ≥ 0")]
    [InlineData("""[1, 2]""", "an action record is a JSON object")]
    public void ABadRecordIsOneLineNamingWhatIsWrong(string record, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => JsonSerializer.Deserialize<Holder>($$"""{"Action": {{record}}}"""));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TwoRecordsAreTheSameActionWhenTheirCouplingsAre()
    {
        var standard = Phi4Couplings.Standard(Hopping.M2, Hopping.Lambda);
        Assert.Equal<IActionParameters>(Hopping, standard);
        Assert.Equal(Hopping.GetHashCode(), standard.GetHashCode());
        Assert.NotEqual(Phi4Couplings.Tutorial, Phi4Couplings.Standard(-4, 7));
    }

    private static RunMeta Meta(IActionParameters action) => new()
    {
        Status = "complete", Lattice = LatticeRecord.Of(LatticeGeometry.Square(4)), Action = action,
        Algorithm = new() { ["name"] = JsonSerializer.SerializeToElement("hmc") }, Chains = 1, NTarget = 1, ConfigsWritten = 1, Therm = 0,
        SaveEvery = 1, UpdatesDone = 1, Seed = 1, FieldsSaved = false, CodeVersion = "test", Device = "cpu",
        Timings = new(0, 0, 0), Acceptance = new(1, [1]),
    };

    [Fact]
    public void MetaJsonRecordsTheActionAndKeepsPhysicsForReadersOutside()
    {
        using var tmp = new TempDir();
        Meta(Hopping).Write(tmp.Path);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Path, RunFiles.Meta)))!.AsObject();
        Assert.Equal(Actions.Describe(Hopping), json["action"]!.ToJsonString());
        Assert.Equal(["lattice", "action", "physics"], json.Select(kv => kv.Key).Where(k => k is "lattice" or "action" or "physics"));
        var physics = json["physics"]!;
        Assert.Equal((Hopping.M2, Hopping.Lambda, 0.18, 0.02), (physics["m2"]!.GetValue<double>(), physics["lam"]!.GetValue<double>(),
            physics["kappa"]!.GetValue<double>(), physics["lam_hop"]!.GetValue<double>()));
        Assert.StartsWith("S = sum_x", physics["action"]!.GetValue<string>());
        Assert.Equal(Hopping, RunMeta.Read(tmp.Path).Action);

        // The code reads the action from one place: where a file's "physics" said otherwise, "action" is what counts.
        json["physics"]!["lam"] = 99;
        File.WriteAllText(Path.Combine(tmp.Path, RunFiles.Meta), json.ToJsonString());
        Assert.Equal(Hopping, RunMeta.Read(tmp.Path).Action);
    }

    [Fact]
    public void AMetaJsonWrittenBeforeTheActionRecordReadsAsWhatItWas()
    {
        using var tmp = new TempDir();
        var json = JsonNode.Parse(JsonSerializer.Serialize(Meta(Phi4Couplings.Tutorial), JsonFiles.Options))!.AsObject();
        json.Remove("action");
        // As the old build wrote it: a run given the hopping form, and one given m2 and lam.
        json["physics"] = JsonNode.Parse("""
            {"action": "S = sum_x [ ... ]", "m2": 1.3333333333333335, "lam": 0.6172839506172839, "kappa": 0.18, "lam_hop": 0.02}
            """);
        File.WriteAllText(Path.Combine(tmp.Path, RunFiles.Meta), json.ToJsonString());
        var hop = (Phi4Couplings)RunMeta.Read(tmp.Path).Action;
        Assert.Equal((1.3333333333333335, 0.6172839506172839, 0.18, 0.02), (hop.M2, hop.Lambda, hop.Kappa!.Value, hop.LambdaHop!.Value));

        json["physics"] = JsonNode.Parse("""{"action": "S = ...", "m2": -4, "lam": 8, "kappa": null, "lam_hop": null}""");
        File.WriteAllText(Path.Combine(tmp.Path, RunFiles.Meta), json.ToJsonString());
        var meta = RunMeta.Read(tmp.Path);
        Assert.Equal(Phi4Couplings.Tutorial, meta.Action);
        Assert.Null(((Phi4Couplings)meta.Action).Kappa);
        // Rewritten (a resumed old run), it gains the record.
        meta.Write(tmp.Path);
        Assert.Equal(Actions.Describe(Phi4Couplings.Tutorial), JsonNode.Parse(File.ReadAllText(Path.Combine(tmp.Path, RunFiles.Meta)))!["action"]!.ToJsonString());

        json.Remove("physics");
        File.WriteAllText(Path.Combine(tmp.Path, RunFiles.Meta), json.ToJsonString());
        Assert.Contains("records no action", Assert.Throws<InvalidInputException>(() => RunMeta.Read(tmp.Path).Action).Message);
    }

    [Fact]
    public void ACheckpointWritesTheRecordOnlyAndReadsTheOldFields()
    {
        // A checkpoint's header as the old build wrote it (property names as declared), hopping form.
        const string old = """
            {"Algorithm": "hmc", "Lx": 4, "Ly": 4, "M2": 1.3333333333333335, "Lambda": 0.6172839506172839, "Kappa": 0.18, "LambdaHop": 0.02,
             "Chains": 1, "Seed": 1, "Thermalization": 0, "SaveEvery": 1, "AlgorithmSettings": "{}", "Step": 1, "ConfigurationsWritten": 1,
             "TunerLogValue": 0, "TunerIterations": 0, "TallyAccepted": [0], "TallyUpdates": 0, "AcceptanceSum": [0],
             "ThermalizationSeconds": 0, "SamplingSeconds": 0}
            """;
        var state = JsonSerializer.Deserialize<CheckpointState>(old)!;
        var hop = (Phi4Couplings)state.Action;
        Assert.Equal((1.3333333333333335, 0.6172839506172839, 0.18, 0.02), (hop.M2, hop.Lambda, hop.Kappa!.Value, hop.LambdaHop!.Value));

        var written = JsonNode.Parse(JsonSerializer.Serialize(state))!.AsObject();
        Assert.Equal(Actions.Describe(hop), written["Action"]!.ToJsonString());
        foreach (string key in new[] { "M2", "Lambda", "Kappa", "LambdaHop" }) Assert.False(written.ContainsKey(key), key);
        Assert.Equal(hop, JsonSerializer.Deserialize<CheckpointState>(written.ToJsonString())!.Action);
    }

    [Fact]
    public void AModelHeaderKeepsPhi4sKeysForOlderBuildsAndALineageReadsTheOldOnes()
    {
        var header = ModelHeader.For(FlowTestModels.Tiny(), Hopping) with
        {
            Lineage = [JsonSerializer.Deserialize<ModelAncestor>("""{"path": "/a.lfm", "sha256": "00", "lx": 4, "ly": 4, "m2": -4, "lambda": 7, "steps": 3}""", JsonFiles.Options)!],
        };
        Assert.Equal(Phi4Couplings.Standard(-4, 7), header.Lineage[0].Action);
        var json = JsonSerializer.SerializeToNode(header, JsonFiles.Options)!.AsObject();
        Assert.Equal(Actions.Describe(Hopping), json["action"]!.ToJsonString());
        Assert.Equal((Hopping.M2, Hopping.Lambda), (json["m2"]!.GetValue<double>(), json["lambda"]!.GetValue<double>()));
        Assert.Equal(Actions.Describe(Phi4Couplings.Standard(-4, 7)), json["lineage"]![0]!["action"]!.ToJsonString());
        Assert.False(json["lineage"]![0]!.AsObject().ContainsKey("m2"));

        json.Remove("action");
        var old = JsonSerializer.Deserialize<ModelHeader>(json.ToJsonString(), JsonFiles.Options)!;
        Assert.Equal(Phi4Couplings.Standard(Hopping.M2, Hopping.Lambda), old.Action);
    }

    [Fact]
    public void AModelMatchesTheActionAsAWhole()
    {
        var header = ModelHeader.For(FlowTestModels.Tiny(), Phi4Couplings.Tutorial);
        var a = FlowTestModels.Tiny();
        ModelFile.CheckMatches(header, a.Lx, a.Ly, Phi4Couplings.Tutorial, "m.lfm");
        var e = Assert.Throws<InvalidInputException>(() => ModelFile.CheckMatches(header, a.Lx, a.Ly, Phi4Couplings.Standard(-4, 7), "m.lfm"));
        Assert.Equal("""m.lfm: trained for the action {"name":"phi4","m2":-4,"lambda":8}, asked for {"name":"phi4","m2":-4,"lambda":7}""", e.Message);
    }

    [Fact]
    public void TrainJsonRecordsTheActionAndOldSummariesHaveNone()
    {
        var summary = new TrainSummary
        {
            Status = "complete", Message = "", StepsDone = 1, Seconds = 1, StepsPerSecond = 1, Device = "cpu", CodeVersion = "t", Architecture = "a",
            Action = Phi4Couplings.Tutorial,
        };
        var json = JsonSerializer.SerializeToNode(summary, JsonFiles.Options)!;
        Assert.Equal(Actions.Describe(Phi4Couplings.Tutorial), json["action"]!.ToJsonString());
        json.AsObject().Remove("action");
        Assert.Null(JsonSerializer.Deserialize<TrainSummary>(json.ToJsonString(), JsonFiles.Options)!.Action);
    }

    /// <summary>An action the registry does not know, as a new one would be before its entry.</summary>
    private sealed class OtherAction : IActionParameters
    {
        public string ActionName => "other";
        public IAction Create(global::LatticeFlow.Devices.ComputeDevice device, LatticeGeometry geometry, int chains) => throw new NotSupportedException();
    }

    [Fact]
    public void AnUnregisteredActionIsNotWrittenAndTheClusterUpdateRefusesAnActionItIsNotWrittenFor()
    {
        Assert.Contains("not registered", Assert.Throws<ArgumentException>(() => Actions.ToJson(new OtherAction())).Message);
        using var device = global::LatticeFlow.Devices.DeviceFactory.Create("cpu", 1);
        var e = Assert.Throws<InvalidInputException>(() => new global::LatticeFlow.Sampling.ClusterHybrid(device, LatticeGeometry.Square(4), 1, new OtherAction(), new global::LatticeFlow.Sampling.ClusterSettings(), 1));
        Assert.Equal("the cluster update is written for phi4 (its sign flips need an action even in φ), not for action 'other'", e.Message);
    }
}
