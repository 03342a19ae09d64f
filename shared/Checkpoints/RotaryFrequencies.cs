namespace PoFT.Shared.Checkpoints;

/// <summary>RoPE inverse frequencies of a config, with its <c>rope_scaling</c> applied exactly as Hugging
/// Face transformers does. Both the TorchSharp model and the ONNX exporter take them from here.</summary>
public static class RotaryFrequencies
{
    public static float[] Compute(ModelConfig config)
    {
        var half = config.HeadDim / 2;
        var inv = new double[half];
        for (var i = 0; i < half; i++)
            inv[i] = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / config.HeadDim);
        if (config.RopeScaling is { } s)
        {
            for (var i = 0; i < half; i++)
                inv[i] = s.Type == "linear" ? inv[i] / s.Factor : Llama3(inv[i], s);
        }
        return [.. inv.Select(v => (float)v)];
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
