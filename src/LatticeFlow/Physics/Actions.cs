using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LatticeFlow.Physics;

/// <summary>One registered action: its name in files (the record's "name") and the type of its parameters record.</summary>
public sealed record ActionKind(string Name, Type ParametersType);

/// <summary>
/// The registry of actions (like Sampling's Samplers): every action a file can record, by name. A file records an action
/// as its parameters record written whole, one JSON object that carries the action's name,
/// <c>{"name": "phi4", "m2": -4, "lambda": 8}</c> (and "kappa", "lambda_hop" where φ⁴ was given in the hopping form),
/// the same in every format (meta.json, analysis.json, checkpoints, model files, train.json). It is written and read here
/// only: every property of type <see cref="IActionParameters"/> goes through <see cref="ActionRecordConverter"/>.
/// </summary>
public static class Actions
{
    /// <summary>Every action, φ⁴ first. A new action adds its parameters record here (docs/architecture.md).</summary>
    public static readonly IReadOnlyList<ActionKind> All = [new("phi4", typeof(Phi4Couplings))];

    /// <summary>The record's key that names the action.</summary>
    public const string NameKey = "name";

    // The record's own keys, whatever the file's conventions around it: snake_case, absent values left out.
    private static readonly JsonSerializerOptions RecordOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectRequiredConstructorParameters = true,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    /// <exception cref="InvalidInputException">No action of that name in this build.</exception>
    public static ActionKind Named(string name) => All.FirstOrDefault(k => k.Name == name)
        ?? throw new InvalidInputException($"action '{name}' is not known to this build (known: {string.Join(", ", All.Select(k => k.Name))})");

    /// <summary>The record as a file stores it: "name" first, then the parameters.</summary>
    /// <exception cref="ArgumentException">An action that is not in <see cref="All"/>.</exception>
    public static JsonObject ToJson(IActionParameters parameters)
    {
        var kind = All.FirstOrDefault(k => k.ParametersType == parameters.GetType() && k.Name == parameters.ActionName)
            ?? throw new ArgumentException($"action '{parameters.ActionName}' ({parameters.GetType().Name}) is not registered in {nameof(Actions)}.{nameof(All)}");
        var record = new JsonObject { [NameKey] = kind.Name };
        foreach (var (key, value) in JsonSerializer.SerializeToNode(parameters, kind.ParametersType, RecordOptions)!.AsObject())
            record[key] = value?.DeepClone();
        return record;
    }

    /// <summary>The parameters a record describes.</summary>
    /// <exception cref="InvalidInputException">No name, an unknown action, missing or unusable parameters (one line).</exception>
    public static IActionParameters FromJson(JsonObject record)
    {
        if (record[NameKey] is not JsonValue v || !v.TryGetValue(out string? name))
            throw new InvalidInputException($"an action record needs its \"{NameKey}\" (e.g. {{\"{NameKey}\": \"phi4\", ...}})");
        var kind = Named(name);
        var parameters = new JsonObject();
        foreach (var (key, value) in record)
            if (key != NameKey) parameters[key] = value?.DeepClone();
        try
        {
            return (IActionParameters)(parameters.Deserialize(kind.ParametersType, RecordOptions) ?? throw new JsonException("null"));
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"action '{name}': unreadable parameters ({e.Message.Split('\n')[0]})");
        }
        catch (InvalidSettingException e)
        {
            throw new InvalidInputException($"action '{name}': {e.Message}");
        }
    }

    /// <summary>The record on one line, as messages show it: {"name":"phi4","m2":-4,"lambda":8}.</summary>
    public static string Describe(IActionParameters parameters) => ToJson(parameters).ToJsonString();
}

/// <summary>
/// Reads and writes an <see cref="IActionParameters"/> as its record (<see cref="Actions"/>), in any file's JSON: the one
/// converter every format uses (it is attached to the interface, so a property of that type needs nothing more).
/// </summary>
public sealed class ActionRecordConverter : JsonConverter<IActionParameters>
{
    public override IActionParameters Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonNode.Parse(ref reader) is JsonObject record
            ? Actions.FromJson(record)
            : throw new InvalidInputException("an action record is a JSON object ({\"name\": \"phi4\", ...})");

    public override void Write(Utf8JsonWriter writer, IActionParameters value, JsonSerializerOptions options) =>
        Actions.ToJson(value).WriteTo(writer, options);
}
