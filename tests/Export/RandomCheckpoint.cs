using System.Runtime.InteropServices;
using PoFT.Shared.Checkpoints;

namespace PoFT.Tests.Export;

/// <summary>Small checkpoints with seeded random weights, written with the project's own
/// <see cref="Checkpoint.Save"/> so they are exactly what the exporter meets in practice.</summary>
internal static class RandomCheckpoint
{
    public const string TokenizerMarker = "{\"test\": \"tokenizer\"}";

    public static ModelConfig Config(int vocab = 97, int hidden = 32, int heads = 4, int kvHeads = 2, int layers = 2,
        int intermediate = 48, string architecture = "LlamaForCausalLM", bool tied = false, bool attentionBias = false,
        RopeScaling? ropeScaling = null) => new()
    {
        Architecture = architecture,
        VocabSize = vocab,
        HiddenSize = hidden,
        IntermediateSize = intermediate,
        NumHiddenLayers = layers,
        NumAttentionHeads = heads,
        NumKeyValueHeads = kvHeads,
        HeadDim = hidden / heads,
        RmsNormEps = 1e-5,
        RopeTheta = 10000.0,
        RopeScaling = ropeScaling,
        TieWordEmbeddings = tied,
        AttentionBias = attentionBias,
    };

    /// <summary>Writes a checkpoint (with a stand-in tokenizer.json) under a fresh temp directory.</summary>
    public static string Create(ModelConfig config, int seed)
    {
        var random = new Random(seed);
        var tensors = ExpectedTensors.For(config).Select(spec => new TensorData(spec.Name, SafetensorsDType.F32, spec.Shape,
            MemoryMarshal.AsBytes<float>(Values(spec, random)).ToArray())).ToList();
        var root = Directory.CreateTempSubdirectory("poft-export-test-").FullName;
        var tokenizer = Path.Combine(root, "tokenizer");
        Directory.CreateDirectory(tokenizer);
        File.WriteAllText(Path.Combine(tokenizer, "tokenizer.json"), TokenizerMarker);
        var checkpoint = Path.Combine(root, "checkpoint");
        Checkpoint.Save(checkpoint, config, tensors, tokenizer);
        return checkpoint;
    }

    // Norm weights near 1 and projections large enough that logits spread well beyond uniform.
    private static float[] Values(TensorSpec spec, Random random)
    {
        var count = spec.Shape.Aggregate(1L, (a, b) => a * b);
        var isNorm = spec.Name.EndsWith("norm.weight", StringComparison.Ordinal);
        var scale = spec.Name == ExpectedTensors.Embedding || spec.Name == ExpectedTensors.LmHead ? 0.5 : 0.15;
        return [.. Enumerable.Range(0, (int)count).Select(_ => (float)(isNorm ? 1 + 0.2 * (random.NextDouble() - 0.5) : scale * (2 * random.NextDouble() - 1)))];
    }
}
