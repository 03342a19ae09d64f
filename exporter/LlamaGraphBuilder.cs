using PoFT.Exporter.Onnx;
using PoFT.Exporter.Precision;
using PoFT.Checkpoints;
using PoFT.Shared.Scoring;
using static PoFT.Exporter.Onnx.OnnxAttributes;
using static PoFT.Checkpoints.ExpectedTensors;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter;

/// <summary>
/// The decoder of Hugging Face LlamaForCausalLM (and Mistral/Qwen2/Qwen3/Gemma 2/Gemma 3) as standard ONNX ops, laid out for
/// ONNX Runtime's CPU provider (or, with <see cref="ExportOptions.Provider"/> CUDA, its fused attention in the form the CUDA
/// kernel takes, see <see cref="FusedAttention"/>): weights pre-transposed for MatMul, q/k/v and gate/up each fused into one
/// MatMul, and RMSNorm written in the Pow/ReduceMean/Add/Sqrt/Div/Mul form ORT fuses into one kernel.
/// Types and projections follow <see cref="ExportPrecision"/> through <see cref="PrecisionOps"/>: RMSNorm,
/// attention (the softmax, or the whole fused kernel in its bias form) and the log-softmax stay fp32 whatever the
/// compute dtype; the fused kernel's lengths form runs in the compute dtype, its softmax fp32 inside the kernel.
/// </summary>
internal sealed class LlamaGraphBuilder
{

    private readonly OnnxGraph _g;
    private readonly ModelConfig _config;
    private readonly LlamaWeights _weights;
    private readonly PrecisionOps _precision;

    private LlamaGraphBuilder(OnnxGraph graph, Checkpoint checkpoint, ExportPrecision precision)
    {
        _g = graph;
        _config = checkpoint.Config;
        _weights = new LlamaWeights(graph, checkpoint, precision);
        _precision = new PrecisionOps(graph, _weights, precision);
    }

    public static OnnxGraph Build(Checkpoint checkpoint, ExportOptions options)
    {
        options.Validate();
        var graph = new OnnxGraph($"{checkpoint.Config.ModelType}_token_logprobs");
        new LlamaGraphBuilder(graph, checkpoint, options.Precision.Validated()).Add(options);
        return graph;
    }

    private void Add(ExportOptions options)
    {
        var ids = _g.AddInput(ScoringGraph.InputIds, DataType.Int64, "batch", "seq");
        var mask = _g.AddInput(ScoringGraph.AttentionMask, DataType.Int64, "batch", "seq");
        var scoreMask = options.Head == HeadPositions.Scored ? _g.AddInput(ScoringGraph.ScoreMask, DataType.Int64, "batch", "seq_minus_1") : null;
        var kernel = options.AttentionFor(_config).Kernel;
        var masking = options.MaskingFor();
        var aligned = kernel == AttentionKernel.Fused && masking == FusedMasking.Lengths ? RightAlignedRows.Build(_g, ids, mask, scoreMask) : null;
        if (aligned is not null)
            (ids, mask, scoreMask) = (aligned.Ids, aligned.Mask, aligned.ScoreMask);
        // One context for each kind of layer the model has: sliding, full, or (Gemma) both.
        var contexts = Enumerable.Range(0, _config.NumHiddenLayers).Select(_config.IsSlidingLayer).Distinct()
            .ToDictionary(sliding => sliding, sliding => InComputeType(SequenceContext.Build(_g, _config, mask, kernel, masking, sliding)));
        var x = Embeddings(ids);
        for (var i = 0; i < _config.NumHiddenLayers; i++)
            x = DecoderLayer(i, x, contexts[_config.IsSlidingLayer(i)]);
        AddOutputs(options, x, ids, mask, scoreMask, aligned);
    }

    // With right-aligned rows the head's outputs are rotated back to the input's positions before they are outputs.
    private void AddOutputs(ExportOptions options, string x, string ids, string mask, string? scoreMask, RightAlignedRows? aligned)
    {
        var head = new TokenLogProbHead(_g, _config, _weights.LmHead, hidden => RmsNorm(hidden, NormWeight(FinalNorm), "final_norm"), _precision.ComputeType);
        var (logProbsName, logitsName) = aligned is null ? (ScoringGraph.TokenLogProbs, ScoringGraph.Logits) : ("token_logprobs_aligned", "logits_aligned");
        var (logProbs, logits) = scoreMask is null
            ? head.AtEveryPosition(x, ids, mask, options.IncludeLogits, logProbsName, logitsName)
            : (head.AtScoredPositions(x, ids, mask, scoreMask, logProbsName), null);
        if (aligned is not null)
        {
            logProbs = aligned.RestorePairs(logProbs, ScoringGraph.TokenLogProbs);
            logits = logits is null ? null : aligned.RestoreTokens(logits, ScoringGraph.Logits);
        }
        _g.AddOutput(logProbs, DataType.Float, "batch", "seq_minus_1");
        if (logits is not null)
            _g.AddOutput(logits, DataType.Float, "batch", "seq", _config.VocabSize);
    }

    // The RoPE tables multiply q and k, so they take the compute dtype once per forward; the attention bias
    // is added to fp32 scores (or fed to the fp32 fused kernel) and stays fp32; the fused kernel's lengths are int32.
    private SequenceContext InComputeType(SequenceContext context) => context with
    {
        QueryCos = _precision.ToCompute(context.QueryCos, "rope_q_cos_typed"),
        QuerySin = _precision.ToCompute(context.QuerySin, "rope_q_sin_typed"),
        KeyCos = _precision.ToCompute(context.KeyCos, "rope_k_cos_typed"),
        KeySin = _precision.ToCompute(context.KeySin, "rope_k_sin_typed"),
    };

    // Gemma scales the embeddings by sqrt(hidden_size), the factor in the embeddings' dtype as
    // Gemma3TextScaledWordEmbedding casts it (modeling_gemma3.py, transformers commit 0018aa64).
    private string Embeddings(string ids)
    {
        var embeddings = _g.Node("Gather", [_weights.Embedding, ids], "embeddings", Int("axis", 0));
        if (!_config.IsGemma)
            return embeddings;
        var scale = _g.AddInitializer("embed_scale", _precision.ComputeType, [], () => new[] { (float)Math.Sqrt(_config.HiddenSize) });
        return _g.Node("Mul", [embeddings, scale], "embeddings_scaled");
    }

    private string DecoderLayer(int i, string x, SequenceContext context)
    {
        var prefix = $"layer{i}";
        var attention = Attention(i, LayerNorm(i, "input_layernorm", x, $"{prefix}_attn_norm"), context);
        if (!_config.IsGemma)
        {
            x = _g.Node("Add", [x, attention], $"{prefix}_attn_residual");
            return _g.Node("Add", [x, Mlp(i, LayerNorm(i, "post_attention_layernorm", x, $"{prefix}_mlp_norm"))], $"{prefix}_mlp_residual");
        }
        // Gemma3DecoderLayer: each block's output is normalised before its residual add.
        x = _g.Node("Add", [x, LayerNorm(i, "post_attention_layernorm", attention, $"{prefix}_attn_out_norm")], $"{prefix}_attn_residual");
        var mlp = Mlp(i, LayerNorm(i, "pre_feedforward_layernorm", x, $"{prefix}_mlp_norm"));
        return _g.Node("Add", [x, LayerNorm(i, "post_feedforward_layernorm", mlp, $"{prefix}_mlp_out_norm")], $"{prefix}_mlp_residual");
    }

    private string LayerNorm(int i, string norm, string x, string hint) => RmsNorm(x, NormWeight(Layer(i, $"{norm}.weight")), hint);

    private string NormWeight(string tensor) => _config.IsGemma ? _weights.OffsetFromOne(tensor) : _weights.Vector(tensor);

    // x / sqrt(mean(x²) + eps) * w, all fp32 like HF's LlamaRMSNorm (which upcasts fp16/bf16 inputs too).
    private string RmsNorm(string input, string weight, string hint)
    {
        var x = _precision.ToFloat(input, $"{hint}_f32");
        var square = _g.Node("Pow", [x, _g.FloatScalar(2f)], $"{hint}_sq");
        var mean = _g.Node("ReduceMean", [square], $"{hint}_mean", Ints("axes", -1), Int("keepdims", 1));
        var rms = _g.Node("Sqrt", [_g.Node("Add", [mean, _g.FloatScalar((float)_config.RmsNormEps)], $"{hint}_var")], $"{hint}_rms");
        return _precision.ToCompute(_g.Node("Mul", [_g.Node("Div", [x, rms], $"{hint}_normed"), weight], $"{hint}_scaled"), hint);
    }

    private string Attention(int i, string x, SequenceContext context)
    {
        var prefix = $"layer{i}";
        int q = _config.NumAttentionHeads * _config.HeadDim, kv = _config.NumKeyValueHeads * _config.HeadDim;
        var names = new[] { "q_proj", "k_proj", "v_proj" };
        var qkv = _precision.Linear(x, $"{prefix}_qkv", [.. names.Select(n => Layer(i, $"self_attn.{n}.weight"))]);
        if (_config.QkvBias)
            qkv = _g.Node("Add", [qkv, _weights.Bias($"{prefix}_qkv_bias", [.. names.Select(n => Layer(i, $"self_attn.{n}.bias"))])], $"{prefix}_qkv_biased");
        var split = _g.Node("Split", [qkv, _g.Int64s(q, kv, kv)], [$"{prefix}_q", $"{prefix}_k", $"{prefix}_v"], [Int("axis", -1)]);

        // [b, s, kv_heads, group, d] and [b, s, kv_heads, 1, d]: query head h = kv·group + g is served by
        // key/value head kv, as in Hugging Face's repeat_kv; the rotary tables broadcast over both head axes.
        long kvHeads = _config.NumKeyValueHeads, group = _config.KeyValueGroups, d = _config.HeadDim;
        var query = Rotate(HeadNorm(i, "q_norm", _g.Node("Reshape", [split[0], _g.Int64s(0, 0, kvHeads, group, d)], $"{prefix}_q_heads")), context.QueryCos, context.QuerySin);
        var key = Rotate(HeadNorm(i, "k_norm", _g.Node("Reshape", [split[1], _g.Int64s(0, 0, kvHeads, 1, d)], $"{prefix}_k_heads")), context.KeyCos, context.KeySin);
        var merged = context.Fused is not null
            ? FusedAttention(prefix, query, key, split[2], context, q, kv)
            : PrimitiveAttention(prefix, query, key, split[2], context.AttentionBias!, q);
        var output = _precision.Linear(merged, $"{prefix}_o", Layer(i, "self_attn.o_proj.weight"));
        return _config.OutputProjectionBias
            ? _g.Node("Add", [output, _weights.Typed(Layer(i, "self_attn.o_proj.bias"))], $"{prefix}_o_biased")
            : output;
    }

    // Qwen3's q_norm/k_norm: the fp32 RMSNorm over the last axis, head_dim, of every head, before RoPE and so
    // before either attention kernel (Qwen3Attention in transformers' modeling_qwen3.py, commit 9ee3f431).
    private string HeadNorm(int i, string norm, string heads) =>
        _config.QkNorm ? RmsNorm(heads, NormWeight(Layer(i, $"self_attn.{norm}.weight")), $"{heads}_{norm}") : heads;

    /// <summary>One GroupQueryAttention node on [b, s, heads·d] tensors: the kernel does q·kᵀ·scale, its softcap,
    /// its own causal mask, softmax and ·v, with no transposes or repeated k/v in the graph. Its scale is
    /// 1/sqrt(head_dim) unless given (Gemma's query_pre_attn_scalar), and its softcap Gemma 2's. Two forms:
    /// <list type="bullet">
    /// <item>Bias (CPU): padding and window in an fp32 attention_bias, so the node runs in fp32 — the −1e9 mask has
    /// no fp16 value (it would be −inf, and a fully masked row NaN) and the kernel's inputs share one type.</item>
    /// <item>Lengths (CUDA's form; the CPU kernel takes it too): no attention_bias, which the CUDA kernel refuses
    /// ("attention_bias is not supported in GroupQueryAttention cuda kernel", contrib_ops/cuda/bert/group_query_attention.cc,
    /// ComputeInternal); right-aligned rows described by seqlens_k and total_sequence_length; the window in
    /// local_window_size; q, k, v in the compute dtype, fp16 or bf16 being the only types CUDA registers
    /// (REGISTER_KERNEL_TYPED, same file). q, k and v stay separate inputs (the unpacked BSNH form of
    /// group_query_attention_helper.h CheckInputs, head_size = hidden / num_heads, a multiple of 8), and RoPE stays
    /// outside the op (do_rotary 0): the graph's own tables carry partial rotary, longrope, the Gemma local θ and
    /// positions counted over real tokens, none of which the kernel's cos/sin caches (head_size % 16, positions from
    /// seqlens_k) would express.</item>
    /// </list></summary>
    private string FusedAttention(string prefix, string query, string key, string value, SequenceContext context, long q, long kv)
    {
        var lengths = context.Fused!;
        var byLengths = context.AttentionBias is null;
        string Typed(string x, string hint) => byLengths ? x : _precision.ToFloat(x, hint);
        var flatQuery = Typed(_g.Node("Reshape", [query, _g.Int64s(0, 0, q)], $"{prefix}_q_flat"), $"{prefix}_q_f32");
        var flatKey = Typed(_g.Node("Reshape", [key, _g.Int64s(0, 0, kv)], $"{prefix}_k_flat"), $"{prefix}_k_f32");
        var flatValue = Typed(value, $"{prefix}_v_f32");
        // Inputs by position; "" skips an optional one (no KV cache, rotary already applied, no position_ids).
        string[] inputs = byLengths
            ? [flatQuery, flatKey, flatValue, "", "", lengths.SeqLensK, lengths.TotalSequenceLength]
            : [flatQuery, flatKey, flatValue, "", "", lengths.SeqLensK, lengths.TotalSequenceLength, "", "", "", context.AttentionBias!];
        List<Onnx.Proto.AttributeProto> attributes = [Int("num_heads", _config.NumAttentionHeads), Int("kv_num_heads", _config.NumKeyValueHeads)];
        if (_config.QueryPreAttnScalar is not null)
            attributes.Add(Float("scale", (float)_config.AttentionScale));
        if (_config.AttentionLogitSoftcap is { } softcap)
            attributes.Add(Float("softcap", (float)softcap));
        if (context.LocalWindowSize is { } window)
            attributes.Add(Int("local_window_size", window));
        var output = _g.Node("GroupQueryAttention", inputs, [$"{prefix}_attn_fused"], attributes, OnnxDomains.Microsoft)[0];
        return byLengths ? output : _precision.ToCompute(output, $"{prefix}_attn_merged");
    }

    /// <summary>Grouped-query attention without repeating k/v: q is [b, kv_heads, group, s, d] and k, v are
    /// [b, kv_heads, 1, s, d], so MatMul broadcasting lets each kv head serve its group of query heads.</summary>
    private string PrimitiveAttention(string prefix, string query, string key, string value, string bias, long q)
    {
        long kvHeads = _config.NumKeyValueHeads, d = _config.HeadDim;
        var valueHeads = _g.Node("Reshape", [value, _g.Int64s(0, 0, kvHeads, 1, d)], $"{prefix}_v_heads");
        var queryT = _g.Node("Transpose", [query], $"{prefix}_q_bhsd", Ints("perm", 0, 2, 3, 1, 4));
        var keyT = _g.Node("Transpose", [key], $"{prefix}_k_bhds", Ints("perm", 0, 2, 3, 4, 1));
        var valueT = _g.Node("Transpose", [valueHeads], $"{prefix}_v_bhsd", Ints("perm", 0, 2, 3, 1, 4));

        var rawScores = _precision.ToFloat(_g.Node("MatMul", [queryT, keyT], $"{prefix}_scores_raw"), $"{prefix}_scores_f32");
        var scores = _g.Node("Add", [Softcap(rawScores, _config.AttentionLogitSoftcap, $"{prefix}_scores"), bias], $"{prefix}_scores");
        var probabilities = _precision.ToCompute(_g.Node("Softmax", [scores], $"{prefix}_attn_probs", Int("axis", -1)), $"{prefix}_attn_probs_typed");
        var heads = _g.Node("MatMul", [probabilities, valueT], $"{prefix}_attn_heads");
        return _g.Node("Reshape", [_g.Node("Transpose", [heads], $"{prefix}_attn_bshd", Ints("perm", 0, 3, 1, 2, 4)), _g.Int64s(0, 0, q)], $"{prefix}_attn_merged");
    }

    private string Softcap(string x, double? softcap, string hint) => Softcap(_g, x, softcap, hint);

    /// <summary>Gemma 2's c·tanh(x / c) on fp32 scores or logits; <paramref name="x"/> itself without a cap.</summary>
    internal static string Softcap(OnnxGraph g, string x, double? softcap, string hint)
    {
        if (softcap is not { } c)
            return x;
        var tanh = g.Node("Tanh", [g.Node("Div", [x, g.FloatScalar((float)c)], $"{hint}_over_cap")], $"{hint}_tanh");
        return g.Node("Mul", [tanh, g.FloatScalar((float)c)], $"{hint}_capped");
    }

    // HF's q*cos + rotate_half(q)*sin, with rotate_half's sign already folded into the sin table. With a
    // partial_rotary_factor (Phi-4-mini) the halves swapped are those of the first rotary_dim values; the rest
    // stay in place, where the tables hold cos 1 and sin 0 (see SequenceContext).
    private string Rotate(string x, string cos, string signedSin)
    {
        long half = _config.RotaryDim / 2, pass = _config.HeadDim - _config.RotaryDim;
        var halves = pass == 0
            ? _g.Node("Split", [x], [$"{x}_lo", $"{x}_hi"], [Int("axis", -1)])
            : _g.Node("Split", [x, _g.Int64s(half, half, pass)], [$"{x}_lo", $"{x}_hi", $"{x}_pass"], [Int("axis", -1)]);
        var swapped = _g.Node("Concat", [halves[1], halves[0], .. halves[2..]], $"{x}_swapped", Int("axis", -1));
        return _g.Node("Add", [_g.Node("Mul", [x, cos], $"{x}_cos"), _g.Node("Mul", [swapped, signedSin], $"{x}_sin")], $"{x}_rotated");
    }

    // down(act(gate(x)) * up(x)), gate and up computed by one MatMul.
    private string Mlp(int i, string x)
    {
        var prefix = $"layer{i}";
        var gateUp = _precision.Linear(x, $"{prefix}_gate_up", Layer(i, "mlp.gate_proj.weight"), Layer(i, "mlp.up_proj.weight"));
        var split = _g.Node("Split", [gateUp], [$"{prefix}_gate", $"{prefix}_up"], [Int("axis", -1)]);
        var activated = _config.IsGemma
            ? GeluTanh(split[0], $"{prefix}_gate")
            : _g.Node("Mul", [split[0], _g.Node("Sigmoid", [split[0]], $"{prefix}_gate_sigmoid")], $"{prefix}_gate_silu");
        var hidden = _g.Node("Mul", [activated, split[1]], $"{prefix}_mlp_hidden");
        return _precision.Linear(hidden, $"{prefix}_down", Layer(i, "mlp.down_proj.weight"));
    }

    // gelu_pytorch_tanh, 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))), in primitives because opset 17 has no
    // Gelu; an fp32 island, as its fp32 constants need.
    private string GeluTanh(string input, string hint)
    {
        var x = _precision.ToFloat(input, $"{hint}_f32");
        var cube = _g.Node("Mul", [_g.Node("Pow", [x, _g.FloatScalar(3f)], $"{hint}_cube"), _g.FloatScalar(0.044715f)], $"{hint}_cube_scaled");
        var inner = _g.Node("Mul", [_g.Node("Add", [x, cube], $"{hint}_inner_sum"), _g.FloatScalar((float)Math.Sqrt(2 / Math.PI))], $"{hint}_inner");
        var gate = _g.Node("Add", [_g.Node("Tanh", [inner], $"{hint}_tanh"), _g.FloatScalar(1f)], $"{hint}_tanh_plus_one");
        var gelu = _g.Node("Mul", [_g.Node("Mul", [x, _g.FloatScalar(0.5f)], $"{hint}_half"), gate], $"{hint}_gelu");
        return _precision.ToCompute(gelu, $"{hint}_gelu_typed");
    }
}
