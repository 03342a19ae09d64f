namespace PoFT.Checkpoints;

/// <summary>
/// Upper bounds on the sizes a config.json may declare, checked when the file is read, before any tensor
/// list, layer or weight is sized from them: a typo or a hostile file (a billion layers) is refused with a
/// message instead of growing memory until the process dies. Each bound is far above every published
/// Llama-family model (Llama 3.1 405B: 126 layers, hidden 16384, intermediate 53248, 128 heads;
/// vocabularies up to ~256k ids; contexts up to 10M positions), so no real checkpoint meets one.
/// </summary>
public static class ConfigLimits
{
    public const int MaxLayers = 1024;
    public const int MaxVocabSize = 1 << 24;
    public const int MaxHiddenSize = 1 << 16;
    /// <summary>Also bounds <c>head_dim</c>: a head is no wider than the widest hidden state allowed.</summary>
    public const int MaxHeadDim = MaxHiddenSize;
    public const int MaxIntermediateSize = 1 << 18;
    public const int MaxAttentionHeads = 1024;
    /// <summary>Also bounds <c>sliding_window</c> and <c>rope_scaling.original_max_position_embeddings</c>.</summary>
    public const int MaxPositionEmbeddings = 1 << 24;
    /// <summary>About 1.1 trillion: each field can be within its bound while their product is not.</summary>
    public const long MaxParameters = 1L << 40;
}
