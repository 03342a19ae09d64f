using PoFT.Exporter.Onnx;
using PoFT.Checkpoints;
using static PoFT.Exporter.Onnx.OnnxAttributes;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter;

/// <summary>
/// What every layer needs from the attention mask, computed once per forward: RoPE cos/sin tables at each
/// token's position and the masking of the attention kernel — the additive attention bias (causal, key padding,
/// window) or, for the fused kernel's <see cref="FusedMasking.Lengths"/> form, its sequence lengths and window.
/// A model with sliding and full layers (Gemma) has one of each kind.
/// </summary>
internal sealed record SequenceContext(string QueryCos, string QuerySin, string KeyCos, string KeySin, string? AttentionBias,
    FusedLengths? Fused, int? LocalWindowSize)
{
    // Finite, so a query row with every key masked (left padding) gets a uniform softmax, not NaN.
    private const float Masked = -1e9f;

    /// <param name="sliding">For the sliding layers: their window and RoPE (<see cref="ModelConfig.SlidingLayerRope"/>).</param>
    public static SequenceContext Build(OnnxGraph g, ModelConfig config, string attentionMask, AttentionKernel kernel, FusedMasking masking, bool sliding)
    {
        var (cos, sin) = Rotary(g, sliding ? config.SlidingLayerRope() : config, attentionMask);
        var window = sliding ? config.SlidingWindow : null;
        // The fused kernel applies the attention scale itself.
        if (kernel == AttentionKernel.Fused && masking == FusedMasking.Lengths)
            // local_window_size counts the keys a query sees, itself included: CUDA's flash path passes
            // window_size_left = local_window_size − 1 (contrib_ops/cuda/bert/group_query_attention_impl.cu,
            // FlashAttention), and ONNX Runtime 1.31's CPU kernel agrees (measured: local_window_size w − 1 put the
            // windowed variants of the parity tests 0.2–0.7 off, w within 1e-4). That is Hugging Face's window of w
            // keys, i − j < w (masking_utils.sliding_window_overlay).
            return new SequenceContext(cos, sin, cos, sin, null, FusedLengths.Build(g, attentionMask), window);
        var bias = Bias(g, attentionMask, window);
        if (kernel == AttentionKernel.Fused)
            return new SequenceContext(cos, sin, cos, sin, bias, FusedLengths.FullRows(g, attentionMask), null);
        // The attention scale rides on the query's rotation: RoPE is linear, so scaling its tables scales q,
        // and it costs nothing per layer.
        var scale = g.FloatScalar((float)config.AttentionScale);
        return new SequenceContext(
            QueryCos: g.Node("Mul", [cos, scale], "rope_cos_scaled"),
            QuerySin: g.Node("Mul", [sin, scale], "rope_sin_scaled"),
            KeyCos: cos,
            KeySin: sin,
            // [batch, 1, 1, seq, seq]: broadcasts over the [batch, kv_heads, group, seq, seq] scores.
            AttentionBias: g.Node("Unsqueeze", [bias, g.Int64s(1)], "attention_bias_5d"),
            Fused: null,
            LocalWindowSize: null);
    }

    /// <summary>cos and sign-folded sin, [batch, seq, 1, 1, head_dim], broadcasting over the
    /// [batch, seq, kv_heads, group, head_dim] layout of q and k.</summary>
    private static (string Cos, string Sin) Rotary(OnnxGraph g, ModelConfig config, string attentionMask)
    {
        // Positions count real tokens only, so left-padded rows start at 0 like unpadded ones.
        var counted = g.Node("CumSum", [attentionMask, g.Int64Scalar(1)], "tokens_so_far");
        var positions = g.Node("Max", [g.Node("Sub", [counted, g.Int64Scalar(1)], "position_raw"), g.Int64Scalar(0)], "position_ids");
        var positionsF = g.Node("Cast", [positions], "position_f32", Int("to", (long)DataType.Float));
        var positionColumn = g.Node("Unsqueeze", [positionsF, g.Int64s(-1)], "position_col");
        var angles = g.Node("Mul", [positionColumn, Frequencies(g, config, attentionMask)], "rope_angles");
        var (cosHalf, sinHalf) = (g.Node("Cos", [angles], "rope_cos_half"), g.Node("Sin", [angles], "rope_sin_half"));
        var scaling = RotaryFrequencies.AttentionScaling(config);
        if (scaling != 1.0)
        {
            var factor = g.FloatScalar((float)scaling);
            (cosHalf, sinHalf) = (g.Node("Mul", [cosHalf, factor], "rope_cos_half_scaled"), g.Node("Mul", [sinHalf, factor], "rope_sin_half_scaled"));
        }
        // rotate_half(x) * sin == swap_halves(x) * concat(-sin, sin): the sign lives in the table.
        string[] cosParts = [cosHalf, cosHalf], sinParts = [g.Node("Neg", [sinHalf], "rope_sin_neg"), sinHalf];
        if (config.HeadDim > config.RotaryDim)
        {
            // partial_rotary_factor: the dimensions past rotary_dim turn at frequency 0 — cos 1, sin 0, unchanged and
            // unscaled — so the tables span the whole head and the attention scale still rides on the query's.
            var still = g.AddInitializer("rope_pass_freq", [config.HeadDim - config.RotaryDim], () => new float[config.HeadDim - config.RotaryDim]);
            var passAngles = g.Node("Mul", [positionColumn, still], "rope_pass_angles");
            (cosParts, sinParts) = ([.. cosParts, g.Node("Cos", [passAngles], "rope_pass_cos")], [.. sinParts, g.Node("Sin", [passAngles], "rope_pass_sin")]);
        }
        var cos = g.Node("Concat", cosParts, "rope_cos_full", Int("axis", -1));
        var sin = g.Node("Concat", sinParts, "rope_sin_signed", Int("axis", -1));
        var headAxes = g.Int64s(2, 3);
        return (g.Node("Unsqueeze", [cos, headAxes], "rope_cos"), g.Node("Unsqueeze", [sin, headAxes], "rope_sin"));
    }

    /// <summary>[half] inverse frequencies; with longrope [batch, 1, half], each row's set chosen by its number of
    /// real tokens (a row is one sample, its mask 0/1), as <see cref="RotaryFrequencies"/> explains.</summary>
    private static string Frequencies(OnnxGraph g, ModelConfig config, string attentionMask)
    {
        var shortFrequencies = RotaryFrequencies.Compute(config);
        var frequencies = g.AddInitializer("rope_inv_freq", [shortFrequencies.Length], () => shortFrequencies);
        if (RotaryFrequencies.LongSamplesAbove(config) is not { } threshold)
            return frequencies;
        var longFrequencies = RotaryFrequencies.Compute(config, longSample: true);
        var longInitializer = g.AddInitializer("rope_inv_freq_long", [longFrequencies.Length], () => longFrequencies);
        var length = g.Node("ReduceSum", [attentionMask, g.Int64s(1)], "sample_length", Int("keepdims", 1));
        var isLong = g.Node("Unsqueeze", [g.Node("Greater", [length, g.Int64Scalar(threshold)], "sample_is_long"), g.Int64s(-1)], "sample_is_long_3d");
        return g.Node("Where", [isLong, longInitializer, frequencies], "rope_inv_freq_per_sample");
    }

    /// <summary>[batch, 1, seq, seq]: 0 where query i may see key j (j ≤ i and j is a real token; with a sliding
    /// window, also i − window &lt; j, as Hugging Face's masking_utils.sliding_window_overlay has it). A row's real
    /// tokens are contiguous, left padded or right, so index distance is position distance.</summary>
    private static string Bias(OnnxGraph g, string attentionMask, int? slidingWindow)
    {
        var length = g.Node("Gather", [g.Node("Shape", [attentionMask], "mask_shape"), g.Int64Scalar(1)], "seq_len", Int("axis", 0));
        var index = g.Node("Range", [g.Int64Scalar(0), length, g.Int64Scalar(1)], "seq_index");
        var (keys, queries) = (g.Node("Unsqueeze", [index, g.Int64s(0)], "key_index"), g.Node("Unsqueeze", [index, g.Int64s(1)], "query_index"));
        var causal = g.Node("LessOrEqual", [keys, queries], "causal_only");
        if (slidingWindow is { } window)
            causal = g.Node("And", [causal, g.Node("Less", [g.Node("Sub", [queries, keys], "query_key_distance"), g.Int64Scalar(window)], "in_window")], "causal");
        var realKeys = g.Node("Unsqueeze", [g.Node("Cast", [attentionMask], "mask_bool", Int("to", (long)DataType.Bool)), g.Int64s(1, 2)], "real_keys");
        var visible = g.Node("And", [causal, realKeys], "visible");
        return g.Node("Where", [visible, g.FloatScalar(0f), g.FloatScalar(Masked)], "attention_bias");
    }
}

/// <summary>GroupQueryAttention's int32 <c>seqlens_k</c> [batch] (total length − 1 per row) and int32
/// <c>total_sequence_length</c> scalar (the padded length). With total_sequence_length equal to the query's length
/// the kernel takes the batch as a first prompt (group_query_attention_helper.h, CheckInputs: is_first_prompt =
/// sequence_length == total_sequence_length), with no past, each row's keys 0 … seqlens_k — right padding.</summary>
internal sealed record FusedLengths(string SeqLensK, string TotalSequenceLength)
{
    /// <summary>Each row's real tokens: the rows must be right-aligned (<see cref="RightAlignedRows"/>). A row with
    /// no token at all is given one key, so that no kernel sees a negative length; its outputs are all padding.</summary>
    public static FusedLengths Build(OnnxGraph g, string attentionMask)
    {
        var tokens = g.Node("ReduceSum", [attentionMask, g.Int64s(1)], "gqa_row_tokens", Int("keepdims", 0));
        var lastIndex = g.Node("Max", [g.Node("Sub", [tokens, g.Int64Scalar(1)], "gqa_row_last_raw"), g.Int64Scalar(0)], "gqa_row_last");
        return new FusedLengths(
            SeqLensK: g.Node("Cast", [lastIndex], "gqa_seqlens_k", Int("to", (long)DataType.Int32)),
            TotalSequenceLength: TotalLength(g, attentionMask));
    }

    /// <summary>Every row given the full padded length: padding, left or right, is masked by the attention bias
    /// instead (the <see cref="FusedMasking.Bias"/> form).</summary>
    public static FusedLengths FullRows(OnnxGraph g, string attentionMask)
    {
        var shape = g.Node("Cast", [g.Node("Shape", [attentionMask], "gqa_mask_shape")], "gqa_mask_shape_i32", Int("to", (long)DataType.Int32));
        var batch = g.Node("Slice", [shape, g.Int64s(0), g.Int64s(1)], "gqa_batch");
        var length = g.Node("Slice", [shape, g.Int64s(1), g.Int64s(2)], "gqa_length");
        var lastIndex = g.Node("Sub", [length, g.Node("Cast", [g.Int64s(1)], "gqa_one", Int("to", (long)DataType.Int32))], "gqa_last_index");
        return new FusedLengths(
            SeqLensK: g.Node("Expand", [lastIndex, g.Node("Cast", [batch], "gqa_batch_i64", Int("to", (long)DataType.Int64))], "gqa_seqlens_k"),
            TotalSequenceLength: g.Node("Squeeze", [length, g.Int64s(0)], "gqa_total_length"));
    }

    // An int32 scalar from the shape: a shape computation, which ONNX Runtime keeps on the CPU where the CUDA
    // kernel wants this input (InputMemoryType(OrtMemTypeCPUInput, 6)).
    private static string TotalLength(OnnxGraph g, string attentionMask)
    {
        var length = g.Node("Gather", [g.Node("Shape", [attentionMask], "gqa_mask_shape"), g.Int64Scalar(1)], "gqa_length_i64", Int("axis", 0));
        return g.Node("Cast", [length], "gqa_total_length", Int("to", (long)DataType.Int32));
    }
}
