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

    internal static RopeScaling? Read(ConfigReader config)
    {
        if (config.OptionalObject("rope_scaling") is not { } block)
            return null;
        var type = block.OptionalString("rope_type") ?? block.OptionalString("type") ?? throw block.Fail("rope_type", "missing");
        if (type == "default")
            return null;
        if (!SupportedTypes.Contains(type))
            throw block.Fail("rope_type", $"'{type}' is not supported; supported: default, {string.Join(", ", SupportedTypes)}");
        var factor = block.PositiveNumber("factor");
        if (type == "linear")
            return new RopeScaling(type, factor);
        var low = block.PositiveNumber("low_freq_factor");
        var high = block.PositiveNumber("high_freq_factor");
        // With high ≤ low the band between the two wavelengths is empty or inverted, and the interpolation of
        // RotaryFrequencies no longer matches what transformers computes.
        if (high <= low)
            throw block.Fail("high_freq_factor", $"{high} must be greater than low_freq_factor ({low})");
        return new RopeScaling(type, factor, low, high, block.Size("original_max_position_embeddings", ConfigLimits.MaxPositionEmbeddings));
    }
}
