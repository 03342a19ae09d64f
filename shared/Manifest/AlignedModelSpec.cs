using System.Text.Json.Serialization;

namespace PoFT.Shared.Manifest;

/// <summary>One aligned model of the manifest (docs/scoring.md, "Models manifest"). Paths are relative to the
/// manifest's directory; <see cref="Checkpoint"/> is only needed for <c>score --backend torch</c>.</summary>
public sealed record AlignedModelSpec(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("onnx")] string Onnx,
    [property: JsonPropertyName("tokenizer")] TokenizerSpec Tokenizer,
    [property: JsonPropertyName("template")] ChatTemplateSpec Template,
    [property: JsonPropertyName("max_length")] int MaxLength = 2048,
    // The train config's default too (hybrid/Config/TrainConfig.cs): a long conversation loses its oldest turns, not
    // the run; docs/data.md, "Overlong samples".
    [property: JsonPropertyName("truncation")] TruncationPolicy Truncation = TruncationPolicy.TruncatePrompt,
    [property: JsonPropertyName("weight")] double Weight = 1.0,
    [property: JsonPropertyName("provider")] ExecutionProviderSpec? Provider = null,
    [property: JsonPropertyName("checkpoint")] string? Checkpoint = null);
