namespace PoFT.Checkpoints;

/// <summary>RoPE inverse frequencies of a config, with its <c>rope_scaling</c> applied exactly as Hugging
/// Face transformers does. Both the TorchSharp model and the ONNX exporter take them from here.</summary>
/// <remarks>longrope (Phi-3) has two sets, short and long, and a cos/sin multiplier
/// (<c>_compute_longrope_parameters</c> in transformers' modeling_rope_utils.py, commit 0044e3b3). Transformers
/// picks the set per forward pass from the batch's largest position; here it is picked per sample, from the
/// sample's length, so that a sample scores the same whatever it is batched or packed with — the same as
/// transformers on that sample alone. With partial_rotary_factor (Phi-4-mini) there are RotaryDim / 2
/// frequencies, for the first RotaryDim dimensions of a head.</remarks>
public static class RotaryFrequencies
{
    /// <param name="longSample">longrope only: frequencies for a sample longer than <see cref="LongSamplesAbove"/>.</param>
    public static float[] Compute(ModelConfig config, bool longSample = false)
    {
        var half = config.RotaryDim / 2;
        var inv = new double[half];
        for (var i = 0; i < half; i++)
            inv[i] = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / config.RotaryDim);
        if (config.RopeScaling is { } s)
        {
            var longRope = longSample ? s.LongFactor : s.ShortFactor;
            for (var i = 0; i < half; i++)
                inv[i] = s.Type switch
                {
                    "linear" => inv[i] / s.Factor,
                    "longrope" => inv[i] / longRope![i],
                    _ => Llama3(inv[i], s),
                };
        }
        return [.. inv.Select(v => (float)v)];
    }

    /// <summary>longrope: samples with more tokens than this take the long factors; null for other RoPE.</summary>
    public static int? LongSamplesAbove(ModelConfig config) =>
        config.RopeScaling is { Type: "longrope" } s ? s.OriginalMaxPositionEmbeddings : null;

    /// <summary>What cos and sin are multiplied by: longrope's attention_factor, by default
    /// sqrt(1 + ln(s) / ln(original)) for s = max_position_embeddings / original above 1; 1 otherwise.</summary>
    public static double AttentionScaling(ModelConfig config)
    {
        if (config.RopeScaling is not { Type: "longrope" } s)
            return 1.0;
        if (s.AttentionFactor is { } given)
            return given;
        var factor = (double)config.MaxPositionEmbeddings / s.OriginalMaxPositionEmbeddings;
        return factor <= 1.0 ? 1.0 : Math.Sqrt(1 + Math.Log(factor) / Math.Log(s.OriginalMaxPositionEmbeddings));
    }

    // Long wavelengths are slowed by `factor`, short ones kept, the band between interpolated smoothly.
    private static double Llama3(double inv, RopeScaling s)
    {
        var lowFreqWavelen = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        var highFreqWavelen = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        var wavelen = 2 * Math.PI / inv;
        if (wavelen < highFreqWavelen)
            return inv;
        if (wavelen > lowFreqWavelen)
            return inv / s.Factor;
        var smooth = (s.OriginalMaxPositionEmbeddings / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        return (1 - smooth) * inv / s.Factor + smooth * inv;
    }
}
