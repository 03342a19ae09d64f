using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PoFT.Shared.Manifest;

namespace PoFT.Shared.Scoring;

/// <summary>
/// What produced a score file, kept beside it as <c>FILE.provenance.json</c>: the backend and, per model in
/// manifest order, everything that changes its numbers — name, weight, max_length, truncation, template,
/// tokenizer spec, and the SHA-256 of its ONNX file and of the <c>model.onnx.data</c> beside it (null when
/// there is none). A resumed run must match it field for field, so one file never mixes records scored
/// two ways. A sidecar rather than a header, because the score file stays a plain stream of records:
/// the trainer's <c>--scores</c>, the experiment and the torn-record recovery read it unchanged, and a
/// header map in a MessagePack stream would pass for one more record with any reader that missed it.
/// </summary>
public sealed class ScoreProvenance
{
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions SpecJson = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private static readonly JsonSerializerOptions FileJson = new() { WriteIndented = true };

    private readonly JsonObject _json;

    private ScoreProvenance(JsonObject json) => _json = json;

    public static string PathOf(string scoreFile) => scoreFile + ".provenance.json";

    /// <summary>The provenance of scoring with <paramref name="manifest"/> on <paramref name="backend"/>;
    /// reads every model's ONNX files through to hash them.</summary>
    public static ScoreProvenance Of(ModelsManifest manifest, string backend)
    {
        var models = new JsonArray();
        foreach (var model in manifest.Models)
        {
            var onnx = manifest.Resolve(model.Onnx);
            var data = Path.Combine(Path.GetDirectoryName(onnx)!, ScoringGraph.ExternalDataFile);
            models.Add(new JsonObject
            {
                ["name"] = model.Name,
                ["weight"] = model.Weight,
                ["max_length"] = model.MaxLength,
                ["truncation"] = JsonSerializer.SerializeToNode(model.Truncation, SpecJson),
                ["template"] = JsonSerializer.SerializeToNode(model.Template, SpecJson),
                ["tokenizer"] = JsonSerializer.SerializeToNode(model.Tokenizer, SpecJson),
                ["onnx_sha256"] = Sha256(onnx),
                ["onnx_data_sha256"] = File.Exists(data) ? Sha256(data) : null,
            });
        }
        var json = new JsonObject { ["format"] = FormatVersion, ["backend"] = backend, ["models"] = models };
        // Parsed back from its text, so that it compares with a file's exactly as it will be read.
        return new ScoreProvenance(JsonNode.Parse(json.ToJsonString())!.AsObject());
    }

    public static ScoreProvenance Read(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}");
        }
        if (root is not JsonObject json || json["format"] is not JsonValue format || !format.TryGetValue<int>(out var version) || version != FormatVersion
            || json["models"] is not JsonArray models || models.Any(m => m is not JsonObject { } o || o["name"] is not JsonValue))
            throw new InvalidDataException($"{path}: not a score file provenance of format {FormatVersion} " +
                "(expected {\"format\": 1, \"backend\", \"models\": [{\"name\", ...}, ...]})");
        return new ScoreProvenance(json);
    }

    /// <summary>Writes the sidecar (temp file + rename), refusing to replace one that exists.</summary>
    public void WriteNew(string path) => AtomicFile.WriteAllText(path, _json.ToJsonString(FileJson) + "\n", overwrite: false);

    /// <summary>Refuses, naming the model and the field, any difference between what scored a file's
    /// records (<c>this</c>) and what would score the records a resumed run adds.</summary>
    /// <param name="refusal">Turns what differs into the whole message (which file, what to do).</param>
    public void RequireSame(ScoreProvenance now, Func<string, string> refusal)
    {
        if (!JsonNode.DeepEquals(_json["backend"], now._json["backend"]))
            throw new InvalidDataException(refusal($"its records were scored by backend {Show(_json["backend"])}, this run uses {Show(now._json["backend"])}"));
        var (before, after) = (Models(), now.Models());
        if (!before.Select(Name).SequenceEqual(after.Select(Name)))
            throw new InvalidDataException(refusal($"its records were scored by models [{string.Join(", ", before.Select(Name))}], " +
                $"the manifest now names [{string.Join(", ", after.Select(Name))}]"));
        for (var j = 0; j < before.Count; j++)
        {
            var changed = before[j].Select(p => p.Key).Union(after[j].Select(p => p.Key))
                .FirstOrDefault(field => !JsonNode.DeepEquals(before[j][field], after[j][field]));
            if (changed is not null)
                throw new InvalidDataException(refusal($"model '{Name(before[j])}': {Field(changed)} was {Show(before[j][changed])} " +
                    $"for its records, and is {Show(after[j][changed])} now"));
        }
    }

    private List<JsonObject> Models() => [.. _json["models"]!.AsArray().Select(m => m!.AsObject())];

    private static string Name(JsonObject model) => model["name"]!.ToString();

    private static string Field(string key) => key switch
    {
        "onnx_sha256" => "field 'onnx' (the SHA-256 of the file's content)",
        "onnx_data_sha256" => $"field 'onnx' (the SHA-256 of its external {ScoringGraph.ExternalDataFile}; null: none)",
        _ => $"field '{key}'",
    };

    private static string Show(JsonNode? value) => value?.ToJsonString() ?? "null";

    private static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
