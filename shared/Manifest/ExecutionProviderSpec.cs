using System.Text.Json.Serialization;

namespace PoFT.Shared.Manifest;

/// <summary>Where an aligned model runs: <c>cpu</c>, or <c>cuda</c> on <see cref="DeviceId"/> (falls back
/// to CPU with one line of warning when CUDA is unavailable, unless the run requires a GPU).</summary>
public sealed record ExecutionProviderSpec(
    [property: JsonPropertyName("kind")] string Kind = "cpu",
    [property: JsonPropertyName("device_id")] int DeviceId = 0)
{
    public static readonly IReadOnlyList<string> Kinds = ["cpu", "cuda"];
}
