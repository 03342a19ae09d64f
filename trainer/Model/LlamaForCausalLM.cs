using PoFT.Checkpoints;
using PoFT.Trainer.Model.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PoFT.Trainer.Model;

// A Llama-family decoder (Llama, Mistral, Qwen2, Qwen3, Phi-3, Gemma 2, Gemma 3) in the style of nanoGPT: the whole forward pass in one
// file. Field names are the Hugging Face parameter names, so state_dict() keys are the checkpoint's keys.
#pragma warning disable IDE1006 // snake_case fields: they are the checkpoint's tensor names

/// <summary>x / sqrt(mean(x²) + eps) · w, computed in fp32 whatever the model dtype. Gemma's weight is an
/// offset from 1, x̂ · (1 + w), and is applied in fp32 before the cast back, where Llama casts first
/// (Gemma3RMSNorm in transformers' modeling_gemma3.py, commit 0018aa64).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;
    private readonly bool _gemma;

    public RmsNorm(long size, double eps, bool gemma) : base(nameof(RmsNorm))
    {
        // Identity either way: 1 for Llama's w, 0 for Gemma's offset.
        weight = nn.Parameter(gemma ? zeros(size) : ones(size));
        _eps = eps;
        _gemma = gemma;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(ScalarType.Float32);
        var normed = x32 * rsqrt(x32.pow(2).mean([-1], keepdim: true) + _eps);
        var scaled = _gemma ? (normed * (weight.to(ScalarType.Float32) + 1)).to(x.dtype) : weight * normed.to(x.dtype);
        return scaled.MoveToOuterDisposeScope();
    }
}

/// <summary>Rotary position embedding, Hugging Face "rotate_half" layout: x·cos + rotate_half(x)·sin. With
/// longrope (Phi-3) each sample takes the short or the long frequencies by its length, and cos and sin carry
/// the attention scaling (see <see cref="RotaryFrequencies"/>).</summary>
public sealed class RotaryEmbedding : nn.Module<Tensor, Tensor, (Tensor Cos, Tensor Sin)>
{
    // Derived from the config, not weights: kept out of the state dict and in fp32 whatever the model dtype.
    private readonly float[] _inverseFrequencies;
    private readonly float[]? _longInverseFrequencies;
    private readonly int? _longSamplesAbove;
    private readonly double _scaling;

    public RotaryEmbedding(ModelConfig config) : base(nameof(RotaryEmbedding))
    {
        _inverseFrequencies = RotaryFrequencies.Compute(config);
        _longSamplesAbove = RotaryFrequencies.LongSamplesAbove(config);
        _longInverseFrequencies = _longSamplesAbove is null ? null : RotaryFrequencies.Compute(config, longSample: true);
        _scaling = RotaryFrequencies.AttentionScaling(config);
    }

    /// <param name="positions">[batch, seq] int64.</param>
    /// <param name="sameSample">[batch, seq, seq] bool: the tokens of each token's sample, whose count is its
    /// sample's length (counted only for longrope, the one table that depends on it).</param>
    /// <returns>cos and sin, [batch, 1, seq, head_dim], fp32.</returns>
    public override (Tensor Cos, Tensor Sin) forward(Tensor positions, Tensor sameSample)
    {
        var frequencies = tensor(_inverseFrequencies, device: positions.device);
        if (_longInverseFrequencies is { } longFrequencies)
            frequencies = where(sameSample.sum(-1).gt(_longSamplesAbove!.Value).unsqueeze(-1), tensor(longFrequencies, device: positions.device), frequencies);
        var angles = positions.to(ScalarType.Float32).unsqueeze(-1) * frequencies;
        var doubled = cat([angles, angles], -1).unsqueeze(1);
        return _scaling == 1.0 ? (doubled.cos(), doubled.sin()) : (doubled.cos() * _scaling, doubled.sin() * _scaling);
    }

    /// <summary>Rotates the first cos.shape[-1] dimensions of each head; with a partial_rotary_factor (Phi-4-mini)
    /// the rest pass through unchanged, as Phi3's apply_rotary_pos_emb does.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        long rotaryDim = cos.shape[^1], headDim = x.shape[^1];
        if (rotaryDim == headDim)
            return Rotate(x, cos, sin);
        var parts = x.split([rotaryDim, headDim - rotaryDim], -1);
        return cat([Rotate(parts[0], cos, sin), parts[1]], -1);
    }

    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        var halves = x.chunk(2, -1);
        var rotated = cat([-halves[1], halves[0]], -1);
        return (x.to(ScalarType.Float32) * cos + rotated.to(ScalarType.Float32) * sin).to(x.dtype);
    }
}

/// <summary>Grouped-query causal self-attention: each key/value head serves KeyValueGroups query heads.
/// Qwen3 adds q_norm and k_norm, an RMSNorm over head_dim of every query and key head before RoPE
/// (Qwen3Attention in transformers' modeling_qwen3.py, commit 9ee3f431).</summary>
public sealed class Attention : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> q_proj, k_proj, v_proj, o_proj;
    private readonly RmsNorm? q_norm, k_norm;
    private readonly int _heads, _kvHeads, _headDim;
    // SDPA scales by 1/sqrt(head_dim); a model with another scale (Gemma's query_pre_attn_scalar) has q
    // rescaled by the ratio first.
    private readonly double? _queryRescale;
    private readonly double _scale;
    private readonly double? _softcap;

    public Attention(ModelConfig c) : base(nameof(Attention))
    {
        (_heads, _kvHeads, _headDim) = (c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim);
        q_proj = nn.Linear(c.HiddenSize, _heads * _headDim, hasBias: c.QkvBias);
        k_proj = nn.Linear(c.HiddenSize, _kvHeads * _headDim, hasBias: c.QkvBias);
        v_proj = nn.Linear(c.HiddenSize, _kvHeads * _headDim, hasBias: c.QkvBias);
        o_proj = nn.Linear(_heads * _headDim, c.HiddenSize, hasBias: c.OutputProjectionBias);
        if (c.QkNorm)
            (q_norm, k_norm) = (new RmsNorm(_headDim, c.RmsNormEps, c.IsGemma), new RmsNorm(_headDim, c.RmsNormEps, c.IsGemma));
        if (c.QueryPreAttnScalar is not null)
            _queryRescale = c.AttentionScale * Math.Sqrt(_headDim);
        (_scale, _softcap) = (c.AttentionScale, c.AttentionLogitSoftcap);
        RegisterComponents();
    }

    internal void SwapProjections(Projections.Swap swap)
    {
        q_proj = Projections.Replace(this, nameof(q_proj), q_proj, swap);
        k_proj = Projections.Replace(this, nameof(k_proj), k_proj, swap);
        v_proj = Projections.Replace(this, nameof(v_proj), v_proj, swap);
        o_proj = Projections.Replace(this, nameof(o_proj), o_proj, swap);
    }

    /// <param name="mask">Additive [batch, 1, seq, seq]: 0 where a query may attend, a large negative elsewhere.</param>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor mask) => forward(x, cos, sin, mask, null);

    /// <param name="mask">Additive [batch, 1, seq, past + seq] with a cache (see <see cref="LlamaModel.forward(Tensor, KvCache)"/>).</param>
    /// <param name="cache">This layer's keys and values of the tokens before x, which x's are appended to.</param>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor mask, KvCache.LayerCache? cache)
    {
        long batch = x.shape[0], seq = x.shape[1];
        var q = Heads(q_proj, q_norm, x, _heads).transpose(1, 2);
        var k = Heads(k_proj, k_norm, x, _kvHeads).transpose(1, 2);
        var v = v_proj.forward(x).view(batch, seq, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null)
            (k, v) = cache.Append(k, v);
        var groups = _heads / _kvHeads;
        if (groups > 1)
        {
            k = k.repeat_interleave(groups, dim: 1);
            v = v.repeat_interleave(groups, dim: 1);
        }
        var y = _softcap is { } softcap ? SoftcappedAttention(q, k, v, mask, softcap)
            : F.scaled_dot_product_attention(_queryRescale is { } rescale ? q * rescale : q, k, v, mask.to(q.dtype));
        return o_proj.forward(y.transpose(1, 2).reshape(batch, seq, _heads * _headDim));
    }

    /// <summary>Gemma 2's eager attention (eager_attention_forward in modeling_gemma2.py, commit 0018aa64): scaled
    /// scores capped to c·tanh(s / c), then masked, softmax in fp32. SDPA has no cap, so this path spells it out.</summary>
    private Tensor SoftcappedAttention(Tensor q, Tensor k, Tensor v, Tensor mask, double softcap)
    {
        var scores = (q.matmul(k.transpose(-2, -1)) * _scale).to(ScalarType.Float32);
        var probabilities = ((scores / softcap).tanh() * softcap + mask).softmax(-1).to(q.dtype);
        return probabilities.matmul(v);
    }

    /// <returns>[batch, seq, heads, head_dim], each head normalised when the model has the norm.</returns>
    private Tensor Heads(nn.Module<Tensor, Tensor> projection, RmsNorm? norm, Tensor x, int heads)
    {
        var split = projection.forward(x).view(x.shape[0], x.shape[1], heads, _headDim);
        return norm is null ? split : norm.forward(split);
    }
}

/// <summary>SwiGLU feed-forward, down(silu(gate(x)) · up(x)); Gemma's GeGLU has GELU's tanh approximation
/// (gelu_pytorch_tanh) in place of silu.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> gate_proj, up_proj, down_proj;
    private readonly bool _gelu;

    public Mlp(ModelConfig c) : base(nameof(Mlp))
    {
        _gelu = c.IsGemma;
        gate_proj = nn.Linear(c.HiddenSize, c.IntermediateSize, hasBias: false);
        up_proj = nn.Linear(c.HiddenSize, c.IntermediateSize, hasBias: false);
        down_proj = nn.Linear(c.IntermediateSize, c.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    internal void SwapProjections(Projections.Swap swap)
    {
        gate_proj = Projections.Replace(this, nameof(gate_proj), gate_proj, swap);
        up_proj = Projections.Replace(this, nameof(up_proj), up_proj, swap);
        down_proj = Projections.Replace(this, nameof(down_proj), down_proj, swap);
    }

    public override Tensor forward(Tensor x)
    {
        var gate = gate_proj.forward(x);
        return down_proj.forward((_gelu ? GeluTanh(gate) : F.silu(gate)) * up_proj.forward(x));
    }

    // torch's gelu(approximate="tanh"): 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))).
    private static Tensor GeluTanh(Tensor x) => 0.5 * x * (1 + tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x.pow(3))));
}

/// <summary>Pre-norm residual blocks. Gemma also normalises each block's output before its residual add:
/// its post_attention_layernorm is that norm of the attention, and pre/post_feedforward_layernorm
/// surround the MLP (Gemma3DecoderLayer, modeling_gemma3.py, commit 0018aa64).</summary>
public sealed class DecoderLayer : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    private readonly RmsNorm input_layernorm, post_attention_layernorm;
    private readonly RmsNorm? pre_feedforward_layernorm, post_feedforward_layernorm;
    private readonly Attention self_attn;
    private readonly Mlp mlp;

    public DecoderLayer(ModelConfig c) : base(nameof(DecoderLayer))
    {
        input_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, c.IsGemma);
        self_attn = new Attention(c);
        post_attention_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, c.IsGemma);
        if (c.IsGemma)
            (pre_feedforward_layernorm, post_feedforward_layernorm) = (new RmsNorm(c.HiddenSize, c.RmsNormEps, true), new RmsNorm(c.HiddenSize, c.RmsNormEps, true));
        mlp = new Mlp(c);
        RegisterComponents();
    }

    internal void SwapProjections(Projections.Swap swap)
    {
        self_attn.SwapProjections(swap);
        mlp.SwapProjections(swap);
    }

    /// <remarks>A dispose scope per layer: the layer's intermediates are freed as soon as it returns, keeping
    /// only what autograd saved for the backward pass (it holds its own references), not every temporary
    /// of the whole forward until the step ends.</remarks>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor mask) => forward(x, cos, sin, mask, null);

    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor mask, KvCache.LayerCache? cache)
    {
        using var scope = NewDisposeScope();
        var attention = self_attn.forward(input_layernorm.forward(x), cos, sin, mask, cache);
        if (pre_feedforward_layernorm is null || post_feedforward_layernorm is null)
        {
            var h = x + attention;
            return (h + mlp.forward(post_attention_layernorm.forward(h))).MoveToOuterDisposeScope();
        }
        var gemma = x + post_attention_layernorm.forward(attention);
        return (gemma + post_feedforward_layernorm.forward(mlp.forward(pre_feedforward_layernorm.forward(gemma)))).MoveToOuterDisposeScope();
    }
}

public sealed class LlamaModel : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Masked logits get this instead of −inf, so that a query with no visible key (left padding)
    /// yields finite values rather than NaN; such positions are masked out of every score.</summary>
    private const float MaskedLogit = -1e9f;

    internal readonly Embedding embed_tokens;
    private readonly ModuleList<DecoderLayer> layers;
    private readonly RmsNorm norm;
    private readonly RotaryEmbedding rotary_emb;
    private readonly RotaryEmbedding? rotary_emb_local;

    private readonly int? _slidingWindow;
    private readonly bool[] _slidingLayers;
    // Gemma's sqrt(hidden_size), rounded to the embedding's dtype as Gemma3TextScaledWordEmbedding does.
    private readonly double? _embeddingScale;

    /// <summary>Recompute each layer's activations in backward instead of keeping them (training only).</summary>
    public bool GradientCheckpointing { get; set; }
    internal IEnumerable<DecoderLayer> Layers => layers;

    public LlamaModel(ModelConfig c) : base(nameof(LlamaModel))
    {
        _slidingWindow = c.SlidingWindow;
        _slidingLayers = [.. Enumerable.Range(0, c.NumHiddenLayers).Select(c.IsSlidingLayer)];
        _embeddingScale = c.IsGemma ? Math.Sqrt(c.HiddenSize) : null;
        embed_tokens = nn.Embedding(c.VocabSize, c.HiddenSize);
        layers = nn.ModuleList([.. Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new DecoderLayer(c))]);
        norm = new RmsNorm(c.HiddenSize, c.RmsNormEps, c.IsGemma);
        rotary_emb = new RotaryEmbedding(c);
        if (c.LocalRopeTheta is not null)
            rotary_emb_local = new RotaryEmbedding(c.SlidingLayerRope());
        RegisterComponents();
    }

    /// <summary>Hidden states [batch, seq, hidden] after the final norm.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var seq = inputIds.shape[1];
        // The mask numbers segments: 0 is padding, k ≥ 1 the k-th sample packed into the row (a 0/1 mask is
        // one sample a row). A token sees the tokens of its own sample up to itself — with a sliding window
        // (Mistral's and Phi-3's layers, Gemma's sliding ones), only the last sliding_window of them, itself
        // included: key j for query i iff i − window < j ≤ i, as Hugging Face's masking_utils.sliding_window_overlay
        // has it. A sample's tokens are contiguous in its row, so index distance is position distance.
        var causal = ones(seq, seq, ScalarType.Bool, inputIds.device).tril();
        var sameSample = attentionMask.unsqueeze(2).eq(attentionMask.unsqueeze(1)) & attentionMask.ne(0).unsqueeze(1);
        var visible = causal.unsqueeze(0) & sameSample;
        // Positions count the tokens before, window or not, so they restart at each sample and ignore left padding.
        var positions = (visible.sum(-1) - 1).clamp_min(0);
        var full = (Rope: rotary_emb.forward(positions, sameSample), Mask: Additive(visible));
        var sliding = _slidingWindow is { } window
            ? (Rope: rotary_emb_local?.forward(positions, sameSample) ?? full.Rope, Mask: Additive(visible & ones(seq, seq, ScalarType.Bool, inputIds.device).triu(-(window - 1)).unsqueeze(0)))
            : full;
        var h = embed_tokens.forward(inputIds);
        if (_embeddingScale is { } scale)
            h = h * tensor(scale, h.dtype, h.device);
        var checkpointed = GradientCheckpointing && training && is_grad_enabled();
        foreach (var (layer, i) in layers.Select((layer, i) => (layer, i)))
        {
            var ((cos, sin), mask) = _slidingLayers[i] ? sliding : full;
            h = checkpointed ? CheckpointedLayer.Apply(layer, h, cos, sin, mask) : layer.forward(h, cos, sin, mask);
        }
        return norm.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>Hidden states [batch, seq, hidden] of <paramref name="inputIds"/>, the tokens that follow the
    /// <see cref="KvCache.Length"/> tokens <paramref name="cache"/> holds (none at first), whose keys and values are
    /// appended to it: incremental decoding. Rows are unpadded single samples of one length. Each new token sees every
    /// earlier token, a sliding layer only the last sliding_window of them (the rule of <see cref="forward(Tensor, Tensor)"/>),
    /// at position past + i.</summary>
    public Tensor forward(Tensor inputIds, KvCache cache)
    {
        using var scope = NewDisposeScope();
        long past = cache.Length, seq = inputIds.shape[1], total = past + seq;
        var device = inputIds.device;
        var queries = arange(past, total, ScalarType.Int64, device).unsqueeze(1);
        var keys = arange(0, total, ScalarType.Int64, device).unsqueeze(0);
        var visible = keys.le(queries).unsqueeze(0);
        var positions = queries.squeeze(1).unsqueeze(0).expand(inputIds.shape[0], seq);
        // Every cached token is of the same sample: the sample's length, which longrope picks its table by, is `total`.
        var sameSample = ones(inputIds.shape[0], seq, total, ScalarType.Bool, device);
        var full = (Rope: rotary_emb.forward(positions, sameSample), Mask: Additive(visible));
        var sliding = _slidingWindow is { } window
            ? (Rope: rotary_emb_local?.forward(positions, sameSample) ?? full.Rope, Mask: Additive(visible & keys.gt(queries - window).unsqueeze(0)))
            : full;
        var h = embed_tokens.forward(inputIds);
        if (_embeddingScale is { } scale)
            h = h * tensor(scale, h.dtype, h.device);
        foreach (var (layer, i) in layers.Select((layer, i) => (layer, i)))
        {
            var ((cos, sin), mask) = _slidingLayers[i] ? sliding : full;
            h = layer.forward(h, cos, sin, mask, cache.Layers[i]);
        }
        cache.Length = total;
        return norm.forward(h).MoveToOuterDisposeScope();
    }

    private static Tensor Additive(Tensor visible) =>
        zeros(visible.shape, ScalarType.Float32, visible.device).masked_fill(visible.logical_not(), MaskedLogit).unsqueeze(1);
}

public sealed class LlamaForCausalLM : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LlamaModel model;
    private readonly Linear? lm_head;

    public ModelConfig Config { get; }

    /// <summary>Scored positions whose logits exist at once in <see cref="TokenLogProbs"/> (0: all of them).</summary>
    public int LogitsChunk { get; set; } = ChunkedTokenLogProbs.DefaultChunk;

    /// <inheritdoc cref="LlamaModel.GradientCheckpointing"/>
    public bool GradientCheckpointing
    {
        get => model.GradientCheckpointing;
        set => model.GradientCheckpointing = value;
    }

    /// <summary>The LoRA adapter, when one is attached: then it holds the only trainable weights.</summary>
    public LoraAdapter? Lora { get; private set; }

    /// <summary>The fp32 master copy of the trained weights, when full fine-tuning holds them in bf16
    /// (<see cref="Placement"/>); a checkpoint of this model saves the master's values.</summary>
    public MasterWeights? Master { get; internal set; }

    public LlamaForCausalLM(ModelConfig config) : base(nameof(LlamaForCausalLM))
    {
        Config = config;
        model = new LlamaModel(config);
        lm_head = config.TieWordEmbeddings ? null : nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Freezes every weight (embeddings, norms and LM head included) and wraps the projections that
    /// <paramref name="options"/> targets in each layer with a fresh adapter drawn from <paramref name="seed"/>;
    /// call it once the model has its device and dtype.</summary>
    /// <param name="baseModel">The base checkpoint's directory, recorded in the adapter's files.</param>
    public LoraAdapter AttachLora(LoraOptions options, string baseModel, long seed)
    {
        if (Lora is not null)
            throw new InvalidOperationException("a LoRA adapter is already attached to this model");
        if (DecoderProjections.LoraRefusal(Config) is { } refusal)
            throw new NotSupportedException(refusal);
        foreach (var parameter in parameters())
            parameter.requires_grad = false;
        var dropout = new LoraDropout(options.Dropout, parameters().First().device);
        using var initialisation = new Generator(unchecked((ulong)seed));
        var wrapped = 0;
        foreach (var layer in model.Layers)
            layer.SwapProjections((name, current) => options.TargetModules.Contains(name) && current is Linear linear
                ? new LoraLinear(linear, options.R, options.Scaling, dropout, wrapped++, initialisation)
                : current);
        Lora = new LoraAdapter(options, baseModel, dropout, [.. named_modules().Where(m => m.module is LoraLinear).Select(m => (m.name, (LoraLinear)m.module))]);
        return Lora;
    }

    /// <summary>Folds the adapter into the weights it wraps (W + scaling·B·A) and removes it: a plain model again.</summary>
    public void MergeLora()
    {
        if (Lora is null)
            throw new InvalidOperationException("no LoRA adapter is attached to this model");
        foreach (var layer in model.Layers)
            layer.SwapProjections((_, current) => current is LoraLinear lora ? lora.Merged() : current);
        Lora.Dropout.Dispose();
        Lora = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Lora?.Dropout.Dispose();
            Master?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Logits [batch, seq, vocab] in the model dtype. Only for callers that need the full
    /// distribution: scoring and training use <see cref="TokenLogProbs"/>.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        var h = model.forward(inputIds, attentionMask);
        return ChunkedTokenLogProbs.Softcapped(lm_head is null ? F.linear(h, model.embed_tokens.weight!) : lm_head.forward(h), Config.FinalLogitSoftcap);
    }

    /// <summary>An empty cache for incremental decoding with <see cref="NextTokenLogits"/>.</summary>
    public KvCache NewCache() => new(Config.NumHiddenLayers);

    /// <summary>fp32 logits [batch, vocab] of the token after the last of <paramref name="inputIds"/> (rows unpadded, of
    /// one length). Without a cache, <paramref name="inputIds"/> is the whole sequence and runs through the model
    /// entire; with one, it is the tokens after those the cache holds, and only they run (their keys and values join
    /// the cache). The LM head runs on the last position only.</summary>
    public Tensor NextTokenLogits(Tensor inputIds, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var hidden = cache is null ? model.forward(inputIds, ones_like(inputIds)) : model.forward(inputIds, cache);
        var last = hidden[.., -1];
        var logits = lm_head is null ? F.linear(last, model.embed_tokens.weight!) : lm_head.forward(last);
        return ChunkedTokenLogProbs.Softcapped(logits.to(ScalarType.Float32), Config.FinalLogitSoftcap).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [batch, seq−1] fp32: element [b, t] = log p(input_ids[b, t+1] | the tokens of its sample up to t), and 0
    /// unless attention_mask[b, t] and [b, t+1] are the same nonzero segment (see <see cref="LlamaModel.forward"/>;
    /// a left-padded row then scores exactly as unpadded). With a 0/1 mask, the contract of the exported ONNX
    /// graph's <c>token_logprobs</c>. With <paramref name="only"/> ([batch, seq−1], nonzero where wanted) every
    /// other element is 0 too.
    /// </summary>
    /// <remarks>The LM head and the log-softmax run only on the scored positions, gathered into one
    /// [positions, hidden] matrix: with a large vocabulary they are most of the cost, and padding, prompt and
    /// template positions would be thrown away.</remarks>
    public Tensor TokenLogProbs(Tensor inputIds, Tensor attentionMask, Tensor? only = null)
    {
        using var scope = NewDisposeScope();
        var scored = attentionMask[.., ..^1].ne(0) & attentionMask[.., ..^1].eq(attentionMask[.., 1..]);
        if (only is not null)
            scored &= only.ne(0);
        var rows = scored.flatten().nonzero().squeeze(1);
        var hidden = model.forward(inputIds, attentionMask)[.., ..^1].reshape(-1, Config.HiddenSize).index_select(0, rows);
        var weight = lm_head?.weight ?? model.embed_tokens.weight!;
        var targets = inputIds[.., 1..].flatten().index_select(0, rows);
        var softcap = Config.FinalLogitSoftcap;
        var picked = LogitsChunk > 0 ? ChunkedTokenLogProbs.Compute(hidden, weight, targets, LogitsChunk, softcap) : LogProbsAtOnce(hidden, weight, targets, softcap);
        var logProbs = zeros(scored.NumberOfElements, ScalarType.Float32, inputIds.device).index_add(0, rows, picked, 1);
        return logProbs.reshape(scored.shape).MoveToOuterDisposeScope();
    }

    private static Tensor LogProbsAtOnce(Tensor hidden, Tensor weight, Tensor targets, double? softcap)
    {
        var logits = ChunkedTokenLogProbs.Softcapped(F.linear(hidden, weight).to(ScalarType.Float32), softcap);
        return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - logits.logsumexp(-1, keepdim: false);
    }
}
/// <summary>
/// Incremental decoding's memory: per layer, the keys (after RoPE) and values of every token run so far, [batch,
/// kv_heads, tokens, head_dim], so that each new token runs alone through the model instead of the whole sequence
/// again. Sliding layers keep all their keys too; their mask hides those beyond the window. The tensors are the
/// cache's own (out of every dispose scope) until it is disposed.
/// </summary>
public sealed class KvCache : IDisposable
{
    public KvCache(int layers) => Layers = [.. Enumerable.Range(0, layers).Select(_ => new LayerCache())];

    /// <summary>Tokens held.</summary>
    public long Length { get; internal set; }

    internal IReadOnlyList<LayerCache> Layers { get; }

    public void Dispose()
    {
        foreach (var layer in Layers)
            layer.Dispose();
        Length = 0;
    }

    public sealed class LayerCache : IDisposable
    {
        private Tensor? _keys, _values;

        /// <returns>The keys and values of every token so far, the new ones last; the cache owns them.</returns>
        internal (Tensor Keys, Tensor Values) Append(Tensor keys, Tensor values)
        {
            var (k, v) = _keys is null || _values is null ? (keys, values) : (cat([_keys, keys], 2), cat([_values, values], 2));
            Dispose();
            (_keys, _values) = (k.DetachFromDisposeScope(), v.DetachFromDisposeScope());
            return (_keys, _values);
        }

        public void Dispose()
        {
            _keys?.Dispose();
            _values?.Dispose();
            (_keys, _values) = (null, null);
        }
    }
}
#pragma warning restore IDE1006
