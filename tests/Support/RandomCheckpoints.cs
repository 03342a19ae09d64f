using System.Runtime.InteropServices;
using PoFT.Checkpoints;

namespace PoFT.Tests.Support;

/// <summary>Small Llama-family configs of every supported shape, and checkpoints of seeded random weights
/// written with the project's own <see cref="Checkpoint.Save"/>, as the model code meets them in practice.</summary>
public static class RandomCheckpoints
{
    public const string StandInTokenizer = "{\"test\": \"tokenizer\"}";

    public static readonly TheoryData<string> Variants = new()
    {
        "gqa-tied", "gqa-untied-llama3-rope", "mha-untied", "qwen2-bias-kv1", "llama-bias-linear-rope-mha", "mistral-window-3",
        "qwen3-qknorm-head-dim", "phi3-longrope-window", "phi4-partial-rotary-tied", "gemma3-window-3-local-rope", "gemma2-softcaps-window-3",
    };

    public static ModelConfig Config(string variant) => variant switch
    {
        "gqa-tied" => Build(tied: true),
        "gqa-untied-llama3-rope" => Build(ropeScaling: new RopeScaling("llama3", 8.0, 1.0, 4.0, 64)),
        "mha-untied" => Build(kvHeads: 4),
        "qwen2-bias-kv1" => Build(architecture: "Qwen2ForCausalLM", kvHeads: 1, tied: true),
        "llama-bias-linear-rope-mha" => Build(vocab: 211, hidden: 48, heads: 3, kvHeads: 3, attentionBias: true, ropeScaling: new RopeScaling("linear", 2.0)),
        // A window far shorter than the test sequences, so that every parity test runs beyond it.
        "mistral-window-3" => Build(architecture: "MistralForCausalLM") with { SlidingWindow = 3 },
        // head_dim 16, not hidden / heads = 8, as Qwen3-0.6B's 128 is not 1024 / 16 (and a multiple of 8, for the fused kernel).
        "qwen3-qknorm-head-dim" => Build(architecture: "Qwen3ForCausalLM", tied: true) with { HeadDim = 16, RmsNormEps = 1e-6 },
        // Phi-3: fused qkv_proj/gate_up_proj on disk, and longrope with original_max_position_embeddings 7, so that the
        // test sequences (2 to 40 tokens) take both the short and the long factors; with max 256 positions the
        // cos/sin scaling is sqrt(1 + ln(256/7) / ln 7) ≈ 1.69. A window of 8 keeps the sliding mask in play.
        "phi3-longrope-window" => Build(architecture: "Phi3ForCausalLM", ropeScaling: new RopeScaling("longrope", 1.0, OriginalMaxPositionEmbeddings: 7,
            ShortFactor: [1.0, 1.3, 2.1, 3.7], LongFactor: [1.1, 2.9, 6.5, 17.0])) with { SlidingWindow = 8 },
        // Phi-4-mini's shape: partial_rotary_factor 0.75 (RoPE on 6 of the 8 dimensions of a head, 3 factors a list),
        // tied embeddings.
        "phi4-partial-rotary-tied" => Build(architecture: "Phi3ForCausalLM", tied: true, ropeScaling: new RopeScaling("longrope", 1.0, OriginalMaxPositionEmbeddings: 7,
            ShortFactor: [1.0, 1.6, 2.5], LongFactor: [1.2, 4.0, 9.5])) with { PartialRotaryFactor = 0.75 },
        // Gemma 3 as gemma-3-1b-it has it (head_dim ≠ hidden / heads, one kv head, tied) but with sliding and
        // full layers alternating, a window shorter than the test sequences, the two RoPE θs far apart (global
        // one linearly scaled) and query_pre_attn_scalar ≠ head_dim: each piece changes the scores if dropped.
        "gemma3-window-3-local-rope" => Build(architecture: "Gemma3ForCausalLM", kvHeads: 1, layers: 3, tied: true, ropeScaling: new RopeScaling("linear", 2.0)) with
        {
            HeadDim = 16, RmsNormEps = 1e-6, RopeTheta = 1_000_000.0, LocalRopeTheta = 100.0, QueryPreAttnScalar = 12, SlidingWindow = 3,
            LayerTypes = [ModelConfig.SlidingAttention, ModelConfig.FullAttention, ModelConfig.SlidingAttention],
        },
        // Gemma 2: even layers sliding, one RoPE θ, and caps low enough that these weights' attention scores and
        // logits reach well into tanh's bend (the published 50 and 30 would barely touch them).
        "gemma2-softcaps-window-3" => Build(architecture: "Gemma2ForCausalLM", layers: 3, tied: true) with
        {
            HeadDim = 16, RmsNormEps = 1e-6, QueryPreAttnScalar = 12, SlidingWindow = 3, AttentionLogitSoftcap = 1.0, FinalLogitSoftcap = 2.0,
            LayerTypes = [ModelConfig.SlidingAttention, ModelConfig.FullAttention, ModelConfig.SlidingAttention],
        },
        _ => throw new ArgumentException($"unknown variant '{variant}'"),
    };

    public static ModelConfig Build(int vocab = 97, int hidden = 32, int heads = 4, int kvHeads = 2, int layers = 2,
        int intermediate = 48, string architecture = "LlamaForCausalLM", bool tied = false, bool attentionBias = false,
        RopeScaling? ropeScaling = null) => ModelConfig.Llama(vocab, hidden, intermediate, layers, heads, kvHeads) with
    {
        Architecture = architecture,
        RopeTheta = 10000.0,
        RopeScaling = ropeScaling,
        MaxPositionEmbeddings = 256,
        TieWordEmbeddings = tied,
        AttentionBias = attentionBias,
    };

    /// <summary>Writes a checkpoint into <paramref name="directory"/>, with the tokenizer files of
    /// <paramref name="tokenizerDirectory"/> when given.</summary>
    public static string Write(string directory, ModelConfig config, int seed, long maxShardBytes = 4L << 30, string? tokenizerDirectory = null)
    {
        var random = new Random(seed);
        var tensors = ExpectedTensors.For(config).Select(spec => new TensorData(spec.Name, SafetensorsDType.F32, spec.Shape,
            MemoryMarshal.AsBytes<float>(Values(spec, random, config.IsGemma)).ToArray())).ToList();
        Checkpoint.Save(directory, config, tensors, tokenizerDirectory, maxShardBytes);
        return directory;
    }

    /// <summary>A directory with a stand-in tokenizer.json, for tests of what travels along with the weights.</summary>
    public static string StandInTokenizerDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), StandInTokenizer);
        return directory;
    }

    // Norm scales near 1 (Gemma's weights are offsets from 1: near 0) and projections large enough that logits
    // spread well beyond uniform.
    private static float[] Values(TensorSpec spec, Random random, bool gemma)
    {
        var count = spec.Shape.Aggregate(1L, (a, b) => a * b);
        var isNorm = spec.Name.EndsWith("norm.weight", StringComparison.Ordinal);
        var scale = spec.Name == ExpectedTensors.Embedding || spec.Name == ExpectedTensors.LmHead ? 0.5 : 0.15;
        var normCentre = gemma ? 0 : 1;
        return [.. Enumerable.Range(0, (int)count).Select(_ => (float)(isNorm ? normCentre + 0.2 * (random.NextDouble() - 0.5) : scale * (2 * random.NextDouble() - 1)))];
    }
}
