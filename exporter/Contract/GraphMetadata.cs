namespace PoFT.Exporter.Contract;

/// <summary>What an export records about itself in the model's <c>metadata_props</c>, so that the scorer can tell
/// which provider the graph was laid out for before it opens a session.</summary>
public static class GraphMetadata
{
    /// <summary>"cpu" or "cuda": the <c>export --provider</c> the graph was checked against.</summary>
    public const string Provider = "poft.provider";

    /// <summary>"fused-bias" (GroupQueryAttention with an additive mask), "fused-lengths" (with seqlens_k and
    /// total_sequence_length only) or "primitive".</summary>
    public const string Attention = "poft.attention";

    public static string AttentionForm(AttentionKernel kernel, FusedMasking masking) =>
        kernel == AttentionKernel.Primitive ? "primitive" : masking == FusedMasking.Lengths ? "fused-lengths" : "fused-bias";
}
