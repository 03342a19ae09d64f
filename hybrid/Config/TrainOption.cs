using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Shared;
using PoFT.Shared.Data;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Hybrid.Config;

/// <summary>One option of the train config, read off its <see cref="TrainOptionAttribute"/> declaration.</summary>
public sealed class TrainOption
{
    /// <summary>Defaults as help and docs/training.md show them: unset fields of an object left out.</summary>
    private static readonly JsonSerializerOptions Shown = new(TrainerState.Json)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly PropertyInfo _property;
    private readonly TrainOptionAttribute _declaration;

    internal TrainOption(PropertyInfo property, TrainOptionAttribute declaration, string jsonName, bool inTraining, object defaults)
    {
        _property = property;
        _declaration = declaration;
        InTraining = inTraining;
        Field = inTraining ? $"training.{jsonName}" : jsonName;
        JsonName = jsonName;
        Flag = declaration.Flag switch
        {
            null => "--" + jsonName.Replace('_', '-'),
            "" => null,
            var flag => flag,
        };
        Default = JsonSerializer.SerializeToNode(property.GetValue(defaults), property.PropertyType, Shown);
    }

    /// <summary>The field's path in the config file, e.g. <c>training.learning_rate</c>.</summary>
    public string Field { get; }

    public string JsonName { get; }

    /// <summary>Whether the field sits in the config's <c>training</c> object (a checkpoint records those in
    /// its options) or at its top level (recorded in its inputs).</summary>
    public bool InTraining { get; }

    /// <summary>The command-line flag, or null where the option is set in the config file only.</summary>
    public string? Flag { get; }

    public string Help => _declaration.Help;
    public OnResume OnResume => _declaration.OnResume;
    public bool IsPath => _declaration.IsPath;
    public bool ByContent => _declaration.ByContent;
    public JsonNode? Default { get; }

    /// <summary>A true/false option: its flag may be given bare (<c>--padding-free</c> is <c>--padding-free true</c>),
    /// as every verb's boolean flags are.</summary>
    public bool IsBoolean => (Nullable.GetUnderlyingType(_property.PropertyType) ?? _property.PropertyType) == typeof(bool);

    /// <summary>A field without a usable default (an empty path): the config must set it.</summary>
    public bool Required => Default is JsonValue value && value.TryGetValue<string>(out var text) && text.Length == 0;

    /// <summary>The value in <paramref name="config"/> as JSON.</summary>
    public JsonNode? ValueIn(TrainConfig config) =>
        JsonSerializer.SerializeToNode(_property.GetValue(InTraining ? config.Training : config), _property.PropertyType, TrainerState.Json);

    /// <summary>What a checkpoint records of the option, as plain JSON: its value, or for a file the run depends on,
    /// the string <c>"sha256:…"</c> of its content — for a folder (<c>scores</c> as a folder of shards), of its files'.</summary>
    public JsonNode? Fingerprint(TrainConfig config)
    {
        var value = ValueIn(config);
        if (!ByContent || value is null)
            return value;
        var path = value.GetValue<string>();
        if (Directory.Exists(path))
            return JsonValue.Create("sha256:" + FileHash.Sha256OfFolder(path));
        if (!File.Exists(path))
            throw new FileNotFoundException($"{Field}: file not found: {path}", path);
        return JsonValue.Create("sha256:" + FileHash.Sha256(path));
    }

    /// <summary>A command-line value as the JSON the config file would hold; paths resolved against the
    /// working directory. Checked against the field's type here, so the error names the flag.</summary>
    public JsonNode? ParseFlag(string text)
    {
        var type = Nullable.GetUnderlyingType(_property.PropertyType) ?? _property.PropertyType;
        // The column mapping's one parser, as score and inspect read their --data-columns: its errors name the key.
        if (type == typeof(ColumnMapping))
            return ColumnMapping.Parse(text, Flag!).ToJson();
        JsonNode? node;
        if (type == typeof(string) || type.IsEnum)
            node = JsonValue.Create(IsPath ? Path.GetFullPath(text) : text);
        else
        {
            try { node = PoFT.Shared.StrictJson.ParseNode(text); }
            catch (JsonException) { throw new ArgumentException($"{Flag} '{text}': expected {Expected(type)}"); }
        }
        try { _ = node.Deserialize(_property.PropertyType, TrainerState.Json); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"{Flag} '{text}': expected {Expected(type)}");
        }
        return node;
    }

    /// <summary>What a value of the field must be, in the config's own spelling (enum values as the file writes them).</summary>
    public string Expected() => Expected(Nullable.GetUnderlyingType(_property.PropertyType) ?? _property.PropertyType);

    private static string Expected(Type type) =>
        type == typeof(int) ? "an integer"
        : type == typeof(double) ? "a finite number"
        : type == typeof(bool) ? "true or false"
        : type.IsEnum ? "one of " + string.Join(", ", Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.Serialize(v, type, TrainerState.Json).Trim('"')))
        : type == typeof(string) ? "a string"
        : type == typeof(long) || type == typeof(float) ? "a number"
        // Never a .NET type's name: the user writes JSON.
        : "a JSON object (see docs/training.md)";

    public override string ToString() => Field;
}
