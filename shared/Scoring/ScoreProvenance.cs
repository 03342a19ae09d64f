using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;

namespace PoFT.Shared.Scoring;

/// <summary>
/// What produced a score file, kept beside it as <c>FILE.provenance.json</c>: the backend; the data
/// (<see cref="ScoredData"/>: the data file's name, SHA-256 and samples, the shard scored and its samples);
/// and, per model in manifest order, everything that changes its numbers — name, weight, max_length,
/// truncation, template, tokenizer spec, and the SHA-256 of its ONNX file and of the <c>model.onnx.data</c>
/// beside it (null when there is none); <c>"ifd": true</c> where the run scored IFD. A resumed run must match it field for field, so one file never
/// mixes records scored two ways or from two data files; shards merge only when theirs match but for the
/// shard. A sidecar rather than a header, because the score file stays a plain stream of records: the
/// trainer's <c>--scores</c>, the experiment and the torn-record recovery read it unchanged, and a header
/// map in a MessagePack stream would pass for one more record with any reader that missed it.
/// </summary>
public sealed class ScoreProvenance
{
    /// <summary>2: adds <c>data</c> and <c>shard</c> (format 1 recorded neither).</summary>
    public const int FormatVersion = 2;

    private static readonly JsonSerializerOptions SpecJson = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private static readonly JsonSerializerOptions FileJson = new() { WriteIndented = true };

    private readonly JsonObject _json;

    public ScoredData Data { get; }

    /// <summary>The models, in manifest order: the names every record of the file lists.</summary>
    public IReadOnlyList<string> ModelNames => [.. Models().Select(Name)];

    private ScoreProvenance(JsonObject json, ScoredData data) => (_json, Data) = (json, data);

    public static string PathOf(string scoreFile) => scoreFile + ".provenance.json";

    /// <summary>The provenance of scoring <paramref name="data"/> with <paramref name="manifest"/> on
    /// <paramref name="backend"/>; reads every model's ONNX files through to hash them.</summary>
    /// <param name="ifd">Whether each model also scores the response without its prompt (<c>score --ifd</c>); recorded as
    /// <c>"ifd": true</c> only then, so a sidecar of a run without IFD reads and compares as before.</param>
    public static ScoreProvenance Of(ModelsManifest manifest, string backend, ScoredData data, bool ifd = false)
    {
        var models = new JsonArray();
        foreach (var model in manifest.Models)
        {
            var onnx = manifest.Resolve(model.Onnx);
            var external = Path.Combine(Path.GetDirectoryName(onnx)!, ScoringGraph.ExternalDataFile);
            models.Add(new JsonObject
            {
                ["name"] = model.Name,
                ["weight"] = model.Weight,
                ["max_length"] = model.MaxLength,
                ["truncation"] = JsonSerializer.SerializeToNode(model.Truncation, SpecJson),
                ["template"] = JsonSerializer.SerializeToNode(model.Template, SpecJson),
                ["tokenizer"] = JsonSerializer.SerializeToNode(model.Tokenizer, SpecJson),
                ["onnx_sha256"] = FileHash.Sha256(onnx),
                ["onnx_data_sha256"] = File.Exists(external) ? FileHash.Sha256(external) : null,
            });
        }
        var json = new JsonObject { ["format"] = FormatVersion, ["backend"] = backend, ["models"] = models };
        if (ifd)
            json["ifd"] = true;
        return Parsed(json, data);
    }

    /// <summary>The provenance of the shards' records merged into one file: theirs, covering the whole data
    /// file, with the names of the files merged.</summary>
    public ScoreProvenance Merged(IEnumerable<string> shardFiles)
    {
        var json = _json.DeepClone().AsObject();
        json["merged_from"] = new JsonArray([.. shardFiles.Select(f => (JsonNode)Path.GetFileName(f))]);
        return Parsed(json, Data.Whole);
    }

    // Parsed back from its text, so that it compares with a file's exactly as it will be read.
    private static ScoreProvenance Parsed(JsonObject json, ScoredData data)
    {
        json["data"] = new JsonObject { ["file"] = data.File, ["sha256"] = data.Sha256, ["samples"] = data.Samples };
        json["shard"] = new JsonObject { ["index"] = data.Shard.Index, ["count"] = data.Shard.Count, ["samples"] = data.ShardSamples };
        return new ScoreProvenance(JsonNode.Parse(json.ToJsonString())!.AsObject(), data);
    }

    public static ScoreProvenance Read(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}");
        }
        int? version = root is JsonObject top && Integer(top, "format", out var number) ? number : null;
        if (version == 1)
            throw new InvalidDataException($"{path}: written by an older version (provenance format 1, which records neither the data file " +
                "nor the shard): its score file can be neither resumed nor merged; score again into a new --out");
        if (root is not JsonObject json || version != FormatVersion
            || json["models"] is not JsonArray models || models.Any(m => m is not JsonObject { } o || o["name"] is not JsonValue))
            throw new InvalidDataException($"{path}: not a score file provenance of format {FormatVersion} " +
                $"(expected {{\"format\": {FormatVersion}, \"backend\", \"data\", \"shard\", \"models\": [{{\"name\", ...}}, ...]}})");
        string Text(string section, string field) => json[section] is JsonObject o && o[field] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new InvalidDataException($"{path}: field '{section}.{field}' is missing or not a string");
        int Count(string section, string field, int minimum) => json[section] is JsonObject o && Integer(o, field, out var value) && value >= minimum
            ? value
            : throw new InvalidDataException($"{path}: field '{section}.{field}' is missing or not a whole number ≥ {minimum}");
        var (index, count) = (Count("shard", "index", 0), Count("shard", "count", 1));
        if (index >= count)
            throw new InvalidDataException($"{path}: field 'shard.index' is {index}, not below field 'shard.count' {count}");
        return new ScoreProvenance(json, new ScoredData(Text("data", "file"), Text("data", "sha256"), Count("data", "samples", 1),
            new SampleShard(index, count), Count("shard", "samples", 0)));
    }

    private static bool Integer(JsonObject json, string field, out int value)
    {
        value = 0;
        return json[field] is JsonValue v && v.TryGetValue(out value);
    }

    /// <summary>Writes the sidecar (temp file + rename), refusing to replace one that exists.</summary>
    public void WriteNew(string path) => AtomicFile.WriteAllText(path, _json.ToJsonString(FileJson) + "\n", overwrite: false);

    /// <summary>Refuses, naming the field (and the model), any difference between what scored a file's
    /// records (<c>this</c>) and what would score the records a resumed run adds: its shard included.</summary>
    /// <param name="refusal">Turns what differs into the whole message (which file, what to do).</param>
    public void RequireSame(ScoreProvenance now, Func<string, string> refusal)
    {
        if (FirstDifference(now, withShard: true) is { } d)
            throw new InvalidDataException(refusal($"{d.What} was {d.Recorded} for its records, and is {d.Other} now"));
    }

    /// <summary>The first thing <paramref name="other"/> records otherwise than this: backend, data file,
    /// shard (with <paramref name="withShard"/>), the models and their order, then each model's fields.</summary>
    public ProvenanceDifference? FirstDifference(ScoreProvenance other, bool withShard)
    {
        if (!JsonNode.DeepEquals(_json["backend"], other._json["backend"]))
            return new("field 'backend'", Show(_json["backend"]), Show(other._json["backend"]));
        if (!JsonNode.DeepEquals(_json["ifd"] ?? false, other._json["ifd"] ?? false))
            return new("field 'ifd' (the response-only pass of score --ifd)", Show(_json["ifd"] ?? false), Show(other._json["ifd"] ?? false));
        if (Data.Sha256 != other.Data.Sha256)
            return new("field 'data' (the SHA-256 of the data file's content)", $"{Data.Sha256} ({Data.File})", $"{other.Data.Sha256} ({other.Data.File})");
        if (withShard && Data.Shard != other.Data.Shard)
            return new("field 'shard'", $"{Data.Shard}", $"{other.Data.Shard}");
        var (mine, theirs) = (Models(), other.Models());
        if (!mine.Select(Name).SequenceEqual(theirs.Select(Name)))
            return new("the models (names in manifest order)", $"[{string.Join(", ", mine.Select(Name))}]", $"[{string.Join(", ", theirs.Select(Name))}]");
        for (var j = 0; j < mine.Count; j++)
        {
            var changed = mine[j].Select(p => p.Key).Union(theirs[j].Select(p => p.Key))
                .FirstOrDefault(field => !JsonNode.DeepEquals(mine[j][field], theirs[j][field]));
            if (changed is not null)
                return new($"model '{Name(mine[j])}': {Field(changed)}", Show(mine[j][changed]), Show(theirs[j][changed]));
        }
        return null;
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
}

/// <summary>What two provenances record differently: <see cref="What"/> names the field (and the model),
/// <see cref="Recorded"/> is the value of the one compared against, <see cref="Other"/> the other's.</summary>
public sealed record ProvenanceDifference(string What, string Recorded, string Other);
