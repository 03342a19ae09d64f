using PoFT.Exporter.Contract;
using PoFT.Exporter.Precision;
using PoFT.Checkpoints;
using PoFT.Shared;

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

/// <summary>How the fused kernel learns which keys each query may see.</summary>
public enum FusedMasking
{
    /// <summary>An additive [batch, 1, seq, seq] <c>attention_bias</c> (causal, padding, sliding window): any
    /// padding. ONNX Runtime's CPU kernel takes it; its CUDA kernel refuses it.</summary>
    Bias,
    /// <summary><c>seqlens_k</c> (real tokens − 1 per row) and <c>total_sequence_length</c> only, the window in
    /// <c>local_window_size</c>: the form CUDA's kernel takes (and the CPU's). Rows are right-aligned inside the
    /// graph, so left-padded input still works.</summary>
    Lengths,
}

/// <summary>The attention kernel an export uses for one model, and why it is not the fused one when it is not.</summary>
public sealed record AttentionChoice(AttentionKernel Kernel, string? Note);

public sealed record ExportOptions
{
    /// <summary>null: fused where ONNX Runtime's kernel for <see cref="Provider"/> takes the model's shape and
    /// precision, else primitive.</summary>
    public AttentionKernel? Attention { get; init; }
    public HeadPositions Head { get; init; } = HeadPositions.Scored;

    /// <summary>The execution provider the graph is laid out for (<c>--provider</c>), recorded in its metadata
    /// and checked against <see cref="ProviderKernels"/> at export and when a manifest opens it. CPU keeps the
    /// fused kernel's additive mask; CUDA gets its sequence-length form (docs/scoring.md, "GPU builds").</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>The fused kernel's masking; null: <see cref="FusedMasking.Lengths"/> for CUDA (the only form it
    /// takes), <see cref="FusedMasking.Bias"/> for the CPU (the form its figures were measured with).</summary>
    public FusedMasking? Masking { get; init; }

    /// <summary>Adds a second output, <c>logits</c> [batch, seq, vocab]; costs a copy of every logit, and
    /// needs <see cref="HeadPositions.All"/>.</summary>
    public bool IncludeLogits { get; init; }

    /// <summary>Weight and compute dtype and weight-only quantization (<c>--dtype</c>, <c>--quantize</c>,
    /// <c>--block-size</c>); fp32 by default.</summary>
    public ExportPrecision Precision { get; init; } = ExportPrecision.Fp32;

    /// <summary>Above this many bytes of weights they go to <c>model.onnx.data</c>: one protobuf message
    /// cannot exceed 2 GiB, and the graph itself needs some of that room.</summary>
    public long ExternalDataThresholdBytes { get; init; } = 1_500_000_000;

    /// <summary>The attention kernel this model gets; refuses an explicit fused request the provider's kernel
    /// cannot take, and says why the default fell back to primitive.</summary>
    public AttentionChoice AttentionFor(ModelConfig config)
    {
        var obstacle = ProviderKernels.FusedAttentionObstacle(Provider, config, Precision);
        if (Attention == AttentionKernel.Fused && obstacle is not null)
            throw new PoftUserException($"fused attention (--attention fused) for --provider {ProviderNames.Name(Provider)}: {obstacle}. Use --attention primitive");
        if (Attention is { } asked)
            return new AttentionChoice(asked, null);
        return obstacle is null
            ? new AttentionChoice(AttentionKernel.Fused, null)
            : new AttentionChoice(AttentionKernel.Primitive, $"primitive attention: ONNX Runtime's {ProviderNames.Name(Provider)} GroupQueryAttention cannot take this model ({obstacle})");
    }

    /// <summary>The fused kernel's masking for <see cref="Provider"/>; refuses the bias form for CUDA.</summary>
    public FusedMasking MaskingFor()
    {
        if (Provider == ExecutionProvider.Cuda && Masking == FusedMasking.Bias)
            throw new PoftUserException("--provider cuda takes no attention_bias on GroupQueryAttention (ONNX Runtime's CUDA kernel refuses it): leave --fused-mask at lengths");
        return Masking ?? (Provider == ExecutionProvider.Cuda ? FusedMasking.Lengths : FusedMasking.Bias);
    }

    public void Validate()
    {
        MaskingFor();
        if (IncludeLogits && Head != HeadPositions.All)
            throw new ArgumentException("the full logits output (--logits) exists only with the LM head at every position (--head all)");
    }
}
