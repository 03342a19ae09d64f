using System.Text.Json.Serialization;

namespace PoFT.Shared.Manifest;

/// <summary>What to do with a sample longer than the maximum token count (JSON: error, truncate-prompt, truncate-response).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TruncationPolicy>))]
public enum TruncationPolicy
{
    /// <summary>Refuse it.</summary>
    [JsonStringEnumMemberName("error")]
    Error,

    /// <summary>Drop leading tokens (keeping a leading BOS); earlier turns, responses included, may go.</summary>
    [JsonStringEnumMemberName("truncate-prompt")]
    TruncatePrompt,

    /// <summary>Cut the end.</summary>
    [JsonStringEnumMemberName("truncate-response")]
    TruncateResponse,
}
