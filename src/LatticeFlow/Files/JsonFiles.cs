using System.Text.Json.Serialization;
using System.Text.Json;

namespace LatticeFlow.Files;

/// <summary>
/// The JSON conventions of every file the code writes and reads back as a typed record: snake_case keys, indented,
/// and numbers that are not finite (JSON has no NaN or infinity) written as null and read back as NaN.
/// Records are written atomically (<see cref="AtomicFile"/>).
/// </summary>
public static class JsonFiles
{
    /// <summary>Options for our own output files: unknown keys are ignored, so files written by other versions stay readable.</summary>
    public static readonly JsonSerializerOptions Options = Create(strict: false);

    /// <summary>Options for files a person writes (sweep files): unknown keys are errors, as are duplicate keys.</summary>
    public static readonly JsonSerializerOptions Strict = Create(strict: true);

    private static JsonSerializerOptions Create(bool strict)
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = true,
            UnmappedMemberHandling = strict ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
            AllowDuplicateProperties = !strict,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        o.Converters.Add(new FiniteDoubleConverter());
        o.MakeReadOnly();
        return o;
    }

    /// <summary>Serialises <paramref name="value"/> and writes it atomically, with a final newline.</summary>
    public static void Write<T>(string path, T value) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Options) + "\n");

    /// <summary>Reads a record written by <see cref="Write{T}"/>.</summary>
    /// <exception cref="InvalidInputException">The file is missing, not JSON, or not this record.</exception>
    public static T Read<T>(string path, string what)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: no such file ({what})");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new InvalidInputException($"{path}: empty ({what})");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: unreadable {what} ({e.Message})");
        }
    }

    /// <summary>A number for a JSON tree, which has no NaN or infinities: null where the value is not finite.</summary>
    public static System.Text.Json.Nodes.JsonNode? Number(double v) => double.IsFinite(v) ? System.Text.Json.Nodes.JsonValue.Create(v) : null;

    /// <summary>A double that is null in JSON where it is not finite, and NaN where JSON has null.</summary>
    private sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
