using System.Runtime.InteropServices;
using PoFT.Shared.Checkpoints;

namespace PoFT.Tests.Support;

/// <summary>Small Llama-family configs of every supported shape and seeded random checkpoints of them.</summary>
public static class RandomCheckpoints
{
    public static ModelConfig Config(string variant) => variant switch
    {
        "gqa-tied" => Base with { NumKeyValueHeads = 2, TieWordEmbeddings = true },
        "mha-untied" => Base with { NumKeyValueHeads = 4, TieWordEmbeddings = false },
        "llama3-rope" => Base with
        {
            NumKeyValueHeads = 2,
            RopeScaling = new RopeScaling("llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositionEmbeddings: 16),
        },
        "qwen2-bias" => Base with { Architecture = "Qwen2ForCausalLM", NumKeyValueHeads = 2, TieWordEmbeddings = false },
        "llama-bias" => Base with { AttentionBias = true, NumKeyValueHeads = 1 },
        _ => throw new ArgumentException(variant),
    };

    public static readonly TheoryData<string> Variants = new() { "gqa-tied", "mha-untied", "llama3-rope", "qwen2-bias", "llama-bias" };

    private static ModelConfig Base => new()
    {
        VocabSize = 97,
        HiddenSize = 32,
        IntermediateSize = 48,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDim = 8,
        RmsNormEps = 1e-5,
        RopeTheta = 10000,
        MaxPositionEmbeddings = 64,
    };

    /// <summary>Writes a checkpoint with weights drawn uniformly from ±<paramref name="scale"/> (norm
    /// weights around 1), large enough that log-probs differ clearly between tokens.</summary>
    public static string Write(string directory, ModelConfig config, int seed, double scale = 0.15, long maxShardBytes = 4L << 30)
    {
        var random = new Random(seed);
        var tensors = ExpectedTensors.For(config).Select(spec =>
        {
            var count = spec.Shape.Aggregate(1L, (a, b) => a * b);
            var isNorm = spec.Name.EndsWith("norm.weight", StringComparison.Ordinal);
            var values = new float[count];
            for (var i = 0; i < count; i++)
                values[i] = (float)((isNorm ? 1 : 0) + scale * (2 * random.NextDouble() - 1));
            return new TensorData(spec.Name, SafetensorsDType.F32, spec.Shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        }).ToList();
        Checkpoint.Save(directory, config, tensors, tokenizerDirectory: null, maxShardBytes);
        return directory;
    }
}
