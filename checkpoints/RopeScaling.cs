namespace PoFT.Checkpoints;

/// <summary>The <c>rope_scaling</c> block of a Hugging Face config. Supported types: <c>linear</c>,
/// <c>llama3</c> (Llama 3.1+) and <c>longrope</c> (alias <c>su</c>; Phi-3); <c>default</c> or an absent block
/// means no scaling.</summary>
/// <param name="ShortFactor">longrope: per-frequency divisors for samples up to <paramref name="OriginalMaxPositionEmbeddings"/> tokens.</param>
/// <param name="LongFactor">longrope: the divisors for longer samples.</param>
/// <param name="AttentionFactor">longrope: the cos/sin multiplier the config gives; null: derived (<see cref="RotaryFrequencies.AttentionScaling"/>).</param>
public sealed record RopeScaling(
    string Type,
    double Factor,
    double LowFreqFactor = 1.0,
    double HighFreqFactor = 4.0,
    int OriginalMaxPositionEmbeddings = 8192,
    IReadOnlyList<double>? ShortFactor = null,
    IReadOnlyList<double>? LongFactor = null,
    double? AttentionFactor = null)
{
    public static readonly IReadOnlyList<string> SupportedTypes = ["linear", "llama3", "longrope"];

    /// <param name="rotaryDim">The rotated dimensions of a head: longrope has a factor for each pair.</param>
    internal static RopeScaling? Read(ConfigReader config, int rotaryDim)
    {
        if (config.OptionalObject("rope_scaling") is not { } block)
            return null;
        var type = block.OptionalString("rope_type") ?? block.OptionalString("type") ?? throw block.Fail("rope_type", "missing");
        if (type == "default")
            return null;
        // "su" is longrope's name in the first Phi-3 configs, renamed by Phi3Config (configuration_phi3.py, transformers
        // commit d7991107); its other old name there, "yarn", means YaRN to every other architecture and is refused.
        if (type == "su")
            type = "longrope";
        if (!SupportedTypes.Contains(type))
            throw block.Fail("rope_type", $"'{type}' is not supported; supported: default, {string.Join(", ", SupportedTypes)}, su");
        if (type == "longrope")
            return LongRope(config, block, rotaryDim);
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

    // Phi-3 keeps original_max_position_embeddings at the top level, as _compute_longrope_parameters reads it
    // (transformers' modeling_rope_utils.py, commit 0044e3b3); newer configs may put it in the block. Without it
    // the switch between the short and long factors has no threshold, so it is required.
    private static RopeScaling LongRope(ConfigReader config, ConfigReader block, int rotaryDim)
    {
        var original = config.OptionalSize("original_max_position_embeddings", ConfigLimits.MaxPositionEmbeddings)
            ?? block.OptionalSize("original_max_position_embeddings", ConfigLimits.MaxPositionEmbeddings)
            ?? throw config.Fail("original_max_position_embeddings", "missing (longrope switches factors at it)");
        // Factor 1: longrope's own factor is max_position_embeddings / original (RotaryFrequencies.AttentionScaling).
        return new RopeScaling("longrope", 1.0, OriginalMaxPositionEmbeddings: original,
            ShortFactor: block.PositiveNumbers("short_factor", rotaryDim / 2), LongFactor: block.PositiveNumbers("long_factor", rotaryDim / 2),
            AttentionFactor: block.OptionalPositiveNumber("attention_factor"));
    }

    // Records compare lists by reference; the factor lists are compared by value.
    public bool Equals(RopeScaling? other) =>
        other is not null && (Type, Factor, LowFreqFactor, HighFreqFactor, OriginalMaxPositionEmbeddings, AttentionFactor)
            == (other.Type, other.Factor, other.LowFreqFactor, other.HighFreqFactor, other.OriginalMaxPositionEmbeddings, other.AttentionFactor)
        && SameValues(ShortFactor, other.ShortFactor) && SameValues(LongFactor, other.LongFactor);

    public override int GetHashCode() => HashCode.Combine(Type, Factor, LowFreqFactor, HighFreqFactor, OriginalMaxPositionEmbeddings, AttentionFactor);

    private static bool SameValues(IReadOnlyList<double>? a, IReadOnlyList<double>? b) =>
        a is null || b is null ? a is null && b is null : a.SequenceEqual(b);
}
