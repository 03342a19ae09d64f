using System.Text.Json;
using System.Text.Json.Serialization;
using PoFT.Shared.Chat;
using PoFT.Trainer.Training;

namespace PoFT.Cli.Training;

/// <summary>
/// The <c>train</c> config file (README, "Training"): what to train, on which data, scored by which
/// aligned models, and the hyper-parameters. Paths are relative to the config file.
/// </summary>
public sealed record TrainConfig
{
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    [JsonPropertyName("template")] public ChatTemplateSpec Template { get; init; } = new(ChatTemplateSpec.Llama3);
    [JsonPropertyName("max_length")] public int MaxLength { get; init; } = 1024;
    [JsonPropertyName("truncation")] public TruncationPolicy Truncation { get; init; } = TruncationPolicy.TruncatePrompt;
    [JsonPropertyName("train_data")] public string TrainData { get; init; } = "";
    [JsonPropertyName("eval_data")] public string? EvalData { get; init; }
    [JsonPropertyName("manifest")] public string? Manifest { get; init; }
    [JsonPropertyName("scores")] public string? Scores { get; init; }
    [JsonPropertyName("output")] public string Output { get; init; } = "runs/train";
    [JsonPropertyName("device")] public string Device { get; init; } = "cpu";
    [JsonPropertyName("dtype")] public string? Dtype { get; init; }
    /// <summary>ONNX Runtime threads per aligned model while training runs beside it.</summary>
    [JsonPropertyName("scorer_threads")] public int ScorerThreads { get; init; } = 1;
    [JsonPropertyName("training")] public TrainingOptions Training { get; init; } = new();

    public static TrainConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: train config not found", path);
        TrainConfig config;
        try
        {
            config = JsonSerializer.Deserialize<TrainConfig>(File.ReadAllText(path), new JsonSerializerOptions(TrainerState.Json)
            {
                UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            }) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {(e.Path is { Length: > 2 } p ? $"field '{p[2..]}': " : "")}{e.Message.Split(". Path:")[0]}");
        }
        var root = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string? Resolve(string? p) => p is null ? null : Path.GetFullPath(p, root);
        if (config.Model.Length == 0)
            throw new FormatException($"{path}: field 'model' is required (a checkpoint directory)");
        if (config.TrainData.Length == 0)
            throw new FormatException($"{path}: field 'train_data' is required");
        return config with
        {
            Model = Resolve(config.Model)!,
            TrainData = Resolve(config.TrainData)!,
            EvalData = Resolve(config.EvalData),
            Manifest = Resolve(config.Manifest),
            Scores = Resolve(config.Scores),
            Output = Resolve(config.Output)!,
        };
    }
}
