using PoFT.Checkpoints;

namespace PoFT.Bench;

/// <summary>A model size the benchmarks run at. 20m and 100m have tied embeddings, so 2·params FLOPs per
/// token is the forward's matmul work: the embedding lookup is free and the LM head reuses the same matrix.
/// 1.1b is TinyLlama's shape (untied), for the memory part.</summary>
public sealed record BenchSize(string Name, ModelConfig Config)
{
    public const int Vocabulary = 32000;

    public long Parameters => Config.ParameterCount;

    public static BenchSize Parse(string name) => name switch
    {
        "20m" => new(name, Build(hidden: 384, intermediate: 1024, layers: 6, heads: 6, kvHeads: 2)),
        "100m" => new(name, Build(hidden: 768, intermediate: 2048, layers: 12, heads: 12, kvHeads: 4)),
        "1.1b" => new(name, ModelConfig.Llama(Vocabulary, hidden: 2048, intermediate: 5632, layers: 22, heads: 32, kvHeads: 4) with { RopeTheta = 10000.0 }),
        "tiny" => new(name, ModelConfig.Preset("tiny", 512)),
        _ => throw new ArgumentException($"unknown size '{name}'; sizes: 20m, 100m, 1.1b, tiny"),
    };

    public string Describe() =>
        $"{Name}: {Parameters / 1e6:F1}M params (hidden {Config.HiddenSize}, {Config.NumHiddenLayers} layers, " +
        $"{Config.NumAttentionHeads}/{Config.NumKeyValueHeads} heads, MLP {Config.IntermediateSize}, vocab {Config.VocabSize}, {(Config.TieWordEmbeddings ? "tied" : "untied")})";

    private static ModelConfig Build(int hidden, int intermediate, int layers, int heads, int kvHeads) =>
        ModelConfig.Llama(Vocabulary, hidden, intermediate, layers, heads, kvHeads) with { TieWordEmbeddings = true };
}
