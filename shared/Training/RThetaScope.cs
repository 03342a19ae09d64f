using System.Text.Json.Serialization;

namespace PoFT.Shared.Training;

/// <summary>Which tokens PoFT's r_θ averages (docs/method.md, "How this project differs from the code the paper's
/// authors released"). r̄ covers the response either way: it comes from the scorer.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RThetaScope>))]
public enum RThetaScope
{
    /// <summary>The response tokens, the tokens r̄ averages: the paper's equations.</summary>
    [JsonStringEnumMemberName("response")]
    Response,

    /// <summary>Every predicted token of the sample, prompt and template included, as the authors' released
    /// trainer computes it (its collator masks only padding).</summary>
    [JsonStringEnumMemberName("all")]
    All,
}
