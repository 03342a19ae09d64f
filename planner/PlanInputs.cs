using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Planner;

/// <summary>Reads what the planner plans for from the files users have: a model's config.json (or the
/// checkpoint directory holding it) and a models manifest.</summary>
public static class PlanInputs
{
    /// <param name="path">A config.json, or a checkpoint directory with one.</param>
    public static ModelConfig Model(string path) =>
        ModelConfig.Load(Directory.Exists(path) ? Path.Combine(path, Checkpoint.ConfigFile) : path);

    /// <summary>Every aligned model of a manifest, with the size of its exported weights as they are on disk
    /// and the config the exporter wrote beside them.</summary>
    public static IReadOnlyList<ScorerWorkload> Manifest(string path, PlanDevice device)
    {
        var manifest = ModelsManifest.Load(path);
        return [.. manifest.Models.Select(m =>
        {
            var onnx = manifest.Resolve(m.Onnx);
            var folder = Path.GetDirectoryName(onnx)!;
            var external = Path.Combine(folder, ScoringGraph.ExternalDataFile);
            var bytes = new FileInfo(onnx).Length + (File.Exists(external) ? new FileInfo(external).Length : 0);
            return new ScorerWorkload(m.Name, Model(Path.Combine(folder, Checkpoint.ConfigFile)), bytes, m.MaxLength, device);
        })];
    }

    /// <summary>Aligned models from a manifest (a JSON object with "models") or one model's config.json or
    /// checkpoint directory.</summary>
    public static IReadOnlyList<ScorerWorkload> Aligned(string path, int maxLength, PlanDevice device) =>
        IsManifest(path) ? Manifest(path, device) : [Config(path, maxLength, device)];

    private static bool IsManifest(string path)
    {
        if (!File.Exists(path))
            return false;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) is JsonObject root && root.ContainsKey("models");
        }
        catch (JsonException)
        {
            return false; // reported by the config reader, which names the file
        }
    }

    /// <summary>An aligned model not exported yet: its float32 export's size from its config.</summary>
    public static ScorerWorkload Config(string path, int maxLength, PlanDevice device)
    {
        var config = Model(path);
        var name = Directory.Exists(path) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(path)) : Path.GetFileNameWithoutExtension(path);
        return new ScorerWorkload(name, config, 4 * config.ParameterCount, maxLength, device);
    }
}
