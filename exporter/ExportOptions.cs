using PoFT.Exporter.Precision;
using PoFT.Checkpoints;

namespace PoFT.Exporter;

/// <summary>How the exported graph computes attention.</summary>
public enum AttentionKernel
{
    /// <summary>ONNX Runtime's fused <c>com.microsoft.GroupQueryAttention</c>: one kernel per layer for
    /// q·kᵀ, the mask, softmax and ·v, each key/value head serving its group without a repeated copy.</summary>
    Fused,
    /// <summary>Standard ONNX ops only (MatMul, Add, Softmax): runs on any ONNX runtime.</summary>
    Primitive,
}

/// <summary>Where the graph runs the final norm, the LM head and the log-softmax.</summary>
public enum HeadPositions
{
    /// <summary>Only at the positions the caller asks for (input <c>score_mask</c>): with a large vocabulary
    /// the LM head is most of the work, and prompt, template and padding positions would be thrown away.</summary>
    Scored,
    /// <summary>At every position; the graph has no <c>score_mask</c> input.</summary>
    All,
}

public sealed record ExportOptions
{
    /// <summary>null: fused where ONNX Runtime's kernel takes the model's shape, else primitive.</summary>
    public AttentionKernel? Attention { get; init; }
    public HeadPositions Head { get; init; } = HeadPositions.Scored;

    /// <summary>Adds a second output, <c>logits</c> [batch, seq, vocab]; costs a copy of every logit, and
    /// needs <see cref="HeadPositions.All"/>.</summary>
    public bool IncludeLogits { get; init; }

    /// <summary>Weight and compute dtype and weight-only quantization (<c>--dtype</c>, <c>--quantize</c>,
    /// <c>--block-size</c>); fp32 by default.</summary>
    public ExportPrecision Precision { get; init; } = ExportPrecision.Fp32;

    /// <summary>Above this many bytes of weights they go to <c>model.onnx.data</c>: one protobuf message
    /// cannot exceed 2 GiB, and the graph itself needs some of that room.</summary>
    public long ExternalDataThresholdBytes { get; init; } = 1_500_000_000;

    /// <summary>The attention kernel this model gets; refuses an explicit fused request its shape cannot take.</summary>
    public AttentionKernel AttentionFor(ModelConfig config)
    {
        // GroupQueryAttention's kernels (CPU and CUDA) take only head sizes that are multiples of 8.
        var fusable = config.HeadDim % 8 == 0;
        if (Attention == AttentionKernel.Fused && !fusable)
            throw new ArgumentException($"fused attention (--attention fused) needs head_dim to be a multiple of 8; this model's is {config.HeadDim}: use --attention primitive");
        return Attention ?? (fusable ? AttentionKernel.Fused : AttentionKernel.Primitive);
    }

    public void Validate()
    {
        if (IncludeLogits && Head != HeadPositions.All)
            throw new ArgumentException("the full logits output (--logits) exists only with the LM head at every position (--head all)");
    }
}
