namespace PoFT.Shared.Checkpoints;

/// <summary>The <c>rope_scaling</c> block of a Hugging Face config. Supported types: <c>linear</c> and
/// <c>llama3</c> (Llama 3.1+); <c>default</c> or an absent block means no scaling.</summary>
public sealed record RopeScaling(
    string Type,
    double Factor,
    double LowFreqFactor = 1.0,
    double HighFreqFactor = 4.0,
    int OriginalMaxPositionEmbeddings = 8192)
{
    public static readonly IReadOnlyList<string> SupportedTypes = ["linear", "llama3"];
}
