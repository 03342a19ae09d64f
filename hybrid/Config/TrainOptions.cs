using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PoFT.Shared.Data;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Hybrid.Config;

/// <summary>
/// Every option of the train config, in declaration order, read from the <see cref="TrainOptionAttribute"/>s
/// on <see cref="TrainConfig"/> and <see cref="TrainingOptions"/> — as TRL derives its flags and docs from
/// one <c>SFTConfig</c>. The CLI's flags and <c>--help</c>, the config's parsing and defaults, the resume
/// rules and the options table in docs/training.md all come from here.
/// </summary>
public static class TrainOptions
{
    private static readonly JsonSerializerOptions Strict = new(TrainerState.Json)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // Reflection metadata, which ConfigFields reads to name the fields a config may hold.
        TypeInfoResolver = TrainerState.Json.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver(),
    };

    public static IReadOnlyList<TrainOption> All { get; } =
        [.. Declared(typeof(TrainConfig), new TrainConfig(), inTraining: false), .. Declared(typeof(TrainingOptions), new TrainingOptions(), inTraining: true)];

    private static IEnumerable<TrainOption> Declared(Type type, object defaults, bool inTraining) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Declaration: p.GetCustomAttribute<TrainOptionAttribute>()))
            .Where(p => p.Declaration is not null)
            .Select(p => new TrainOption(p.Property, p.Declaration!, JsonName(p.Property), inTraining, defaults));

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? TrainerState.Json.PropertyNamingPolicy!.ConvertName(property.Name);

    /// <summary>Reads a config file with command-line values in place of the file's; paths resolved against
    /// the file's folder (command-line paths are already absolute).</summary>
    internal static TrainConfig Load(string path, IReadOnlyDictionary<TrainOption, string> overrides)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: train config not found", path);
        JsonObject root;
        try
        {
            // Strict: a field given twice was an ArgumentException stack trace (exit 134) at the first lookup.
            root = PoFT.Shared.StrictJson.ParseNode(File.ReadAllText(path)) as JsonObject ?? throw new FormatException($"{path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON: {e.Message}");
        }
        foreach (var (option, text) in overrides)
            Set(root, option, option.ParseFlag(text));
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var option in All.Where(o => o.IsPath))
        {
            var value = Get(root, option) ?? option.Default;
            if (value is JsonValue v && v.TryGetValue<string>(out var relative) && relative.Length > 0)
                Set(root, option, Path.GetFullPath(relative, folder));
        }
        ConfigFields.RequireKnown(path, root, typeof(TrainConfig), Strict);
        TrainConfig config;
        try
        {
            config = root.Deserialize<TrainConfig>(Strict) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {Unreadable(e, root)}");
        }
        if (config.Model.Length == 0)
            throw new FormatException($"{path}: field 'model' is required (a checkpoint directory)");
        if (config.TrainData.Length == 0)
            throw new FormatException($"{path}: field 'train_data' is required");
        if (!DataFormat.Names.Contains(config.DataLayout))
            throw new FormatException($"{path}: field 'data_format': '{config.DataLayout}' is not a layout; expected one of {string.Join(", ", DataFormat.Names)}");
        if (config.MaxLength < 2)
            throw new FormatException($"{path}: field 'max_length': {config.MaxLength} is out of range; expected at least 2");
        if (config.MaxRecordMb < 1)
            throw new FormatException($"{path}: field 'max_record_mb': {config.MaxRecordMb} is out of range; expected at least 1 (MiB)");
        if (config.ScorerThreads < 0)
            throw new FormatException($"{path}: field 'scorer_threads': {config.ScorerThreads} is out of range; expected 0 (all cores) or more");
        try
        {
            config.Training.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{path}: {e.Message}");
        }
        return config with { Source = path, Template = config.Template.ResolvedAgainst(folder) };
    }

    /// <summary>The table of options in docs/training.md.</summary>
    public static string MarkdownTable()
    {
        var table = new StringBuilder("| field | flag | default | on resume | meaning |\n|---|---|---|---|---|\n");
        foreach (var o in All)
            table.Append($"| `{o.Field}` | {(o.Flag is null ? "—" : $"`{o.Flag}`")} | {(o.Required ? "required" : o.Default is null ? "—" : $"`{o.Default.ToJsonString()}`")} " +
                $"| {(o.OnResume == OnResume.Applied ? "applied" : "refused if changed")} | {o.Help.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        return table.ToString();
    }

    private static JsonNode? Get(JsonObject root, TrainOption option) =>
        option.InTraining ? (root["training"] as JsonObject)?[option.JsonName] : root[option.JsonName];

    /// <summary>A value that does not read as its field's type, in the config's own terms: the field, the value and
    /// what it must be — not the .NET type it failed to convert to.</summary>
    private static string Unreadable(JsonException e, JsonObject root)
    {
        var field = e.Path is { Length: > 2 } p ? p[2..] : null;
        // A converter's own message (data_columns names its key) is kept; the serializer's names a .NET type.
        var converted = e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal);
        if (converted && All.FirstOrDefault(o => o.Field == field) is { } option)
            return $"field '{field}': {Get(root, option)?.ToJsonString() ?? "null"} is not valid; expected {option.Expected()}";
        var message = Regex.Replace(e.Message.Split(". Path:")[0], @"The JSON value could not be converted to [\w.`\[\], ]+", "the value has the wrong type (see docs/training.md)");
        return field is null ? message : $"field '{field}': {message}";
    }

    private static void Set(JsonObject root, TrainOption option, JsonNode? value)
    {
        var parent = root;
        if (option.InTraining)
        {
            if (root["training"] is not JsonObject training)
                root["training"] = training = [];
            parent = training;
        }
        parent[option.JsonName] = value;
    }
}
