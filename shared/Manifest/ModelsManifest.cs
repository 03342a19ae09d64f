using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PoFT.Shared;

namespace PoFT.Shared.Manifest;

/// <summary>
/// <c>models-manifest.json</c>: the aligned models whose mean score is the PoFT reference r̄. Adding,
/// removing or swapping a model is an edit of this file only. Loading validates every model and field
/// (unknown fields too) and resolves paths against the manifest's directory.
/// </summary>
public sealed record ModelsManifest(string Path, IReadOnlyList<AlignedModelSpec> Models)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    private static readonly JsonSerializerOptions WriteJson = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The one top-level key besides <c>models</c>: editors use it to find the JSON schema.</summary>
    public const string SchemaKey = "$schema";

    public string Directory => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;

    public IReadOnlyList<string> Names => [.. Models.Select(m => m.Name)];

    /// <summary>A path from the manifest, resolved against its directory.</summary>
    public string Resolve(string relativeOrAbsolute) => System.IO.Path.GetFullPath(relativeOrAbsolute, Directory);

    public static ModelsManifest Load(string path)
    {
        if (!File.Exists(path))
            throw new ManifestException($"{path}: models manifest not found");
        JsonNode? root;
        // Repeated keys refused here: JsonNode would throw a bare ArgumentException at the first lookup (found by fuzzing).
        try { root = StrictJson.ParseNode(File.ReadAllText(path)); }
        catch (JsonException e) { throw new ManifestException($"{path}: not valid JSON: {e.Message}"); }
        if (root is not JsonObject top || top["models"] is not JsonArray list || list.Count == 0)
            throw new ManifestException($"{path}: expected {{\"models\": [ ... ]}} with at least one model");
        // A misspelt or misplaced key ("model", "weights" beside "models") would otherwise be ignored and
        // the run would score with settings the user believes they changed.
        if (top.Select(p => p.Key).FirstOrDefault(key => key is not ("models" or SchemaKey)) is { } unknown)
            throw new ManifestException($"{path}: unknown top-level field '{unknown}'; expected 'models' (and optionally '{SchemaKey}')");
        var models = list.Select((node, i) => Parse(path, node, i)).ToList();
        var manifest = new ModelsManifest(path, models);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (!seen.Add(model.Name))
                throw new ManifestException($"{path}: model '{model.Name}' appears twice; names must be unique");
            manifest.Validate(model);
        }
        return manifest;
    }

    /// <summary>The manifest's JSON, paths as given (relative paths stay relative to the manifest's directory).
    /// What <see cref="Load"/> reads back, and what a run records to recognise the manifest it scored with.</summary>
    public string ToJson() => new JsonObject { ["models"] = JsonSerializer.SerializeToNode(Models, WriteJson) }.ToJsonString(WriteJson);

    /// <summary>Writes <see cref="ToJson"/> to <see cref="Path"/> (temp file + rename), then loads it back,
    /// so a manifest written is a manifest that validates.</summary>
    public ModelsManifest Save()
    {
        AtomicFile.WriteAllText(Path, ToJson());
        return Load(Path);
    }

    private static AlignedModelSpec Parse(string path, JsonNode? node, int index)
    {
        var name = (node as JsonObject)?["name"] is JsonValue v && v.TryGetValue<string>(out var n) ? n : $"models[{index}]";
        try
        {
            // A model without a template renders with its own chat_template, as transformers does.
            if (node is JsonObject entry && !entry.ContainsKey("template"))
                entry["template"] = new JsonObject { ["family"] = ChatTemplateSpec.Auto };
            var spec = node.Deserialize<AlignedModelSpec>(Json) ?? throw new JsonException("null entry");
            return spec with { Template = spec.Template.ResolvedAgainst(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!) };
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } p ? $"field '{p[2..]}'" : "entry";
            throw new ManifestException($"{path}: model '{name}': {field}: {FirstSentence(e.Message)}");
        }
    }

    private void Validate(AlignedModelSpec m)
    {
        ManifestException Bad(string field, string reason) => new($"{Path}: model '{m.Name}': field '{field}': {reason}");
        if (string.IsNullOrWhiteSpace(m.Name))
            throw Bad("name", "must be a non-empty string");
        // Names go into score files, provenance and one-line messages; a newline or escape in one would
        // forge or garble those lines.
        if (m.Name.Any(char.IsControl))
            throw new ManifestException($"{Path}: model {JsonSerializer.Serialize(m.Name)}: field 'name': contains the control character " +
                $"U+{(int)m.Name.First(char.IsControl):X4}; names must be printable");
        if (!File.Exists(Resolve(m.Onnx)))
            throw Bad("onnx", $"file not found: {Resolve(m.Onnx)}");
        if (!ChatTemplateSpec.Families.Contains(m.Template.Family))
            throw Bad("template.family", $"'{m.Template.Family}' is not one of {string.Join(", ", ChatTemplateSpec.Families)}");
        if (m.Template.Family == ChatTemplateSpec.JinjaFile && (m.Template.Jinja is null || !File.Exists(m.Template.Jinja)))
            throw Bad("template.jinja", m.Template.Jinja is null ? "a jinja template needs the path of its file" : $"file not found: {m.Template.Jinja}");
        if (m.Template.Family == ChatTemplateSpec.Custom && m.Template.Roles is null)
            throw Bad("template.roles", "a custom template needs per-role prefix and suffix");
        if (m.MaxLength < 2)
            throw Bad("max_length", $"{m.MaxLength} must be at least 2");
        if (!(m.Weight > 0) || double.IsInfinity(m.Weight))
            throw Bad("weight", $"{m.Weight} must be a positive number");
        if (m.Provider is { } p && !ExecutionProviderSpec.Kinds.Contains(p.Kind))
            throw Bad("provider.kind", $"'{p.Kind}' is not one of {string.Join(", ", ExecutionProviderSpec.Kinds)}");
        if (m.Provider is { DeviceId: < 0 })
            throw Bad("provider.device_id", "must be 0 or more");
    }

    private static string FirstSentence(string message) => message.Split(". Path:")[0];
}
