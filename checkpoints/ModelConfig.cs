using PoFT.Shared;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Checkpoints;

/// <summary>
/// The fields of a Hugging Face <c>config.json</c> that define a Llama-family decoder
/// (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Phi3ForCausalLM, Gemma2ForCausalLM, Gemma3ForCausalLM). Anything this project cannot run faithfully
/// (another architecture, activation, MLP bias, RoPE type) is rejected when the file is read.
/// </summary>
public sealed record ModelConfig
{
    public static readonly IReadOnlyDictionary<string, string> SupportedArchitectures = new Dictionary<string, string>
    {
        ["LlamaForCausalLM"] = "llama",
        ["MistralForCausalLM"] = "mistral",
        ["Qwen2ForCausalLM"] = "qwen2",
        ["Qwen3ForCausalLM"] = "qwen3",
        ["Phi3ForCausalLM"] = "phi3",
        ["Gemma2ForCausalLM"] = "gemma2",
        ["Gemma3ForCausalLM"] = "gemma3_text",
    };

    public const string SlidingAttention = "sliding_attention", FullAttention = "full_attention";

    // The architectures whose config.json has attention_bias (q/k/v/o biases); Qwen2's q/k/v biases are fixed.
    private static readonly HashSet<string> ReadAttentionBias = ["LlamaForCausalLM", "Qwen3ForCausalLM", "Gemma2ForCausalLM", "Gemma3ForCausalLM"];

    public string Architecture { get; init; } = "LlamaForCausalLM";
    public int VocabSize { get; init; }
    public int HiddenSize { get; init; }
    public int IntermediateSize { get; init; }
    public int NumHiddenLayers { get; init; }
    public int NumAttentionHeads { get; init; }
    public int NumKeyValueHeads { get; init; }
    public int HeadDim { get; init; }
    public double RmsNormEps { get; init; } = 1e-5;
    public double RopeTheta { get; init; } = 10000.0;
    /// <summary>Phi-3's <c>partial_rotary_factor</c> (Phi-4-mini: 0.75): RoPE turns only the first
    /// <see cref="RotaryDim"/> dimensions of each head, the rest pass through.</summary>
    public double PartialRotaryFactor { get; init; } = 1.0;
    public RopeScaling? RopeScaling { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 2048;
    public bool TieWordEmbeddings { get; init; }
    /// <summary>Llama's, Qwen3's and Gemma's <c>attention_bias</c>: biases on q, k, v and o projections.</summary>
    public bool AttentionBias { get; init; }
    /// <summary>The attention window of the sliding layers (Mistral's and Phi-3's every layer, Gemma's per
    /// <see cref="LayerTypes"/>): key j is seen from query i iff i − window &lt; j ≤ i.</summary>
    public int? SlidingWindow { get; init; }
    /// <summary>Gemma's <c>layer_types</c>, one entry a layer, <see cref="SlidingAttention"/> or
    /// <see cref="FullAttention"/>; empty where every layer is alike (then all slide iff there is a window).</summary>
    public IReadOnlyList<string> LayerTypes { get; init; } = [];
    /// <summary>Gemma 3's <c>rope_local_base_freq</c>: the RoPE θ of its sliding layers, never scaled.</summary>
    public double? LocalRopeTheta { get; init; }
    /// <summary>Gemma's <c>query_pre_attn_scalar</c>: attention scores are scaled by its −½ power, not head_dim's.</summary>
    public double? QueryPreAttnScalar { get; init; }
    /// <summary>Gemma 2's <c>attn_logit_softcapping</c> c: attention scores become c·tanh(s / c) before the mask.
    /// Never set for Gemma 3, whose attention transformers computes without it (a config that sets it is refused).
    /// The TorchSharp model and the exporter both read this one property.</summary>
    public double? AttentionLogitSoftcap { get; init; }
    /// <summary>Gemma's <c>final_logit_softcapping</c> c: logits become c·tanh(z / c) before the log-softmax.</summary>
    public double? FinalLogitSoftcap { get; init; }
    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    public int? PadTokenId { get; init; }
    public string TorchDtype { get; init; } = "float32";

    public string ModelType => SupportedArchitectures[Architecture];
    /// <summary>Qwen2 always has q/k/v biases; Llama has them on q/k/v/o when <c>attention_bias</c>.</summary>
    public bool QkvBias => Architecture == "Qwen2ForCausalLM" || AttentionBias;
    public bool OutputProjectionBias => Architecture != "Qwen2ForCausalLM" && AttentionBias;
    /// <summary>Qwen3's and Gemma 3's per-head RMSNorm of queries and keys over head_dim (<c>self_attn.q_norm</c>,
    /// <c>self_attn.k_norm</c>), applied before RoPE.</summary>
    public bool QkNorm => Architecture is "Qwen3ForCausalLM" or "Gemma3ForCausalLM";
    /// <summary>Phi-3's checkpoints fuse q/k/v into <c>self_attn.qkv_proj</c> and gate/up into <c>mlp.gate_up_proj</c>
    /// (see <see cref="ExpectedTensors.Fused"/>).</summary>
    public bool FusedProjections => Architecture == "Phi3ForCausalLM";
    /// <summary>int(head_dim · partial_rotary_factor), truncated as transformers does (modeling_rope_utils.py,
    /// commit 0044e3b3).</summary>
    public int RotaryDim => (int)(HeadDim * PartialRotaryFactor);
    /// <summary>Gemma 2's and 3's decoder (modeling_gemma2.py and modeling_gemma3.py, transformers commit
    /// 0018aa64): RMSNorms that scale by (1 + w), four a layer (post_attention_layernorm on the attention
    /// output, pre/post_feedforward_layernorm around the MLP), a GeGLU MLP with tanh-approximated GELU, and
    /// embeddings scaled by sqrt(hidden_size).</summary>
    public bool IsGemma => Architecture is "Gemma2ForCausalLM" or "Gemma3ForCausalLM";
    /// <summary>1 / sqrt(query_pre_attn_scalar) where the config has it, else 1 / sqrt(head_dim).</summary>
    public double AttentionScale => 1.0 / Math.Sqrt(QueryPreAttnScalar ?? HeadDim);
    public bool IsSlidingLayer(int layer) => SlidingWindow is not null && (LayerTypes.Count == 0 || LayerTypes[layer] == SlidingAttention);
    /// <summary>The config whose RoPE a sliding layer uses: Gemma 3's local θ with no scaling (its
    /// rotary_emb_local), or this one.</summary>
    public ModelConfig SlidingLayerRope() => LocalRopeTheta is { } theta ? this with { RopeTheta = theta, RopeScaling = null } : this;
    public int KeyValueGroups => NumAttentionHeads / NumKeyValueHeads;

    public long ParameterCount => ExpectedTensors.For(this).Sum(t => TensorShape.ElementCount(t.Shape));

    /// <summary>Named presets for fresh models; sizes exclude nothing (embeddings included).</summary>
    public static ModelConfig Preset(string name, int vocabSize) => name switch
    {
        "tiny" => Llama(vocabSize, hidden: 64, intermediate: 176, layers: 2, heads: 4, kvHeads: 2) with { MaxPositionEmbeddings = 1024, TieWordEmbeddings = true },
        "small" => Llama(vocabSize, hidden: 256, intermediate: 688, layers: 4, heads: 8, kvHeads: 4) with { TieWordEmbeddings = true },
        "medium" => Llama(vocabSize, hidden: 512, intermediate: 1376, layers: 8, heads: 8, kvHeads: 4) with { TieWordEmbeddings = true },
        _ => throw new ArgumentException($"unknown preset '{name}'; presets: {string.Join(", ", PresetNames)}"),
    };

    public static readonly IReadOnlyList<string> PresetNames = ["tiny", "small", "medium"];

    /// <summary>A LlamaForCausalLM config of the given shape (head_dim = hidden / heads, RoPE θ = 500000 as
    /// in Llama 3, untied, 2048 positions); callers adjust the rest with <c>with</c>.</summary>
    public static ModelConfig Llama(int vocabSize, int hidden, int intermediate, int layers, int heads, int kvHeads) => new()
    {
        VocabSize = vocabSize,
        HiddenSize = hidden,
        IntermediateSize = intermediate,
        NumHiddenLayers = layers,
        NumAttentionHeads = heads,
        NumKeyValueHeads = kvHeads,
        HeadDim = hidden / heads,
        RopeTheta = 500000.0,
        MaxPositionEmbeddings = 2048,
    };

    public static ModelConfig Load(string path) => Parse(ReadObject(path), path);

    /// <summary>A config.json for a model about to be created: where it gives no <c>vocab_size</c>, the
    /// tokenizer's id space is the vocabulary.</summary>
    public static ModelConfig LoadForNewModel(string path, int tokenizerVocabularySize)
    {
        var json = ReadObject(path);
        json.TryAdd("vocab_size", tokenizerVocabularySize);
        return Parse(json, path);
    }

    private static JsonObject ReadObject(string path)
    {
        if (!System.IO.File.Exists(path))
            throw new CheckpointFormatException(path, "file not found");
        JsonNode? root;
        try { root = StrictJson.ParseNode(System.IO.File.ReadAllText(path)); }
        catch (JsonException e) { throw new CheckpointFormatException(path, $"not valid JSON: {e.Message}"); }
        return root as JsonObject ?? throw new CheckpointFormatException(path, "expected a JSON object");
    }

    public static ModelConfig Parse(JsonObject json, string file)
    {
        var reader = new ConfigReader(json, file);
        var architectures = reader.Array("architectures");
        if (architectures.Count != 1 || !SupportedArchitectures.ContainsKey(architectures[0]))
            throw reader.Fail("architectures", $"[{string.Join(", ", architectures)}] is not supported; supported: {string.Join(", ", SupportedArchitectures.Keys)}");
        var architecture = architectures[0];
        var gemma3 = architecture == "Gemma3ForCausalLM";
        var gemma = gemma3 || architecture == "Gemma2ForCausalLM";
        // Gemma's configs read hidden_activation (configuration_gemma3.py, transformers commit 008f5c8c); published
        // Gemma 2 configs also write hidden_act, the same, which transformers ignores.
        reader.Expect("hidden_act", gemma ? "gelu_pytorch_tanh" : "silu");
        if (gemma)
            reader.Expect("hidden_activation", "gelu_pytorch_tanh");
        if (reader.OptionalBool("mlp_bias") == true)
            throw reader.Fail("mlp_bias", "true is not supported; supported: false");

        var vocab = reader.Size("vocab_size", ConfigLimits.MaxVocabSize);
        var hidden = reader.Size("hidden_size", ConfigLimits.MaxHiddenSize);
        var heads = reader.Size("num_attention_heads", ConfigLimits.MaxAttentionHeads);
        var kvHeads = reader.OptionalSize("num_key_value_heads", ConfigLimits.MaxAttentionHeads) ?? heads;
        if (heads % kvHeads != 0)
            throw reader.Fail("num_key_value_heads", $"{kvHeads} must divide num_attention_heads ({heads})");
        var headDim = reader.OptionalSize("head_dim", ConfigLimits.MaxHeadDim) ?? HeadDimOf(reader, architecture, hidden, heads);
        if (headDim % 2 != 0)
            throw reader.Fail("head_dim", $"{headDim} must be even (RoPE rotates pairs)");
        var partialRotary = PartialRotaryFactorOf(reader, architecture, headDim);
        var config = new ModelConfig
        {
            Architecture = architecture,
            VocabSize = vocab,
            HiddenSize = hidden,
            IntermediateSize = reader.Size("intermediate_size", ConfigLimits.MaxIntermediateSize),
            NumHiddenLayers = reader.Size("num_hidden_layers", ConfigLimits.MaxLayers),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            RmsNormEps = reader.OptionalPositiveNumber("rms_norm_eps") ?? 1e-6,
            RopeTheta = reader.OptionalPositiveNumber("rope_theta") ?? (gemma3 ? 1_000_000.0 : 10000.0),
            PartialRotaryFactor = partialRotary,
            RopeScaling = RopeScaling.Read(reader, (int)(headDim * partialRotary)),
            MaxPositionEmbeddings = reader.OptionalSize("max_position_embeddings", ConfigLimits.MaxPositionEmbeddings) ?? 2048,
            // Gemma's configs tie by default, and gemma-3-1b-it's config.json does not say.
            TieWordEmbeddings = reader.OptionalBool("tie_word_embeddings") ?? gemma,
            AttentionBias = ReadAttentionBias.Contains(architecture) && (reader.OptionalBool("attention_bias") ?? false),
            SlidingWindow = gemma ? reader.GemmaSlidingWindow() : reader.SlidingWindow(architecture),
            // Gemma 3: every sliding_window_pattern-th layer global; Gemma 2 alternates, its even layers sliding
            // (configuration_gemma2.py, transformers commit 008e5743).
            LayerTypes = gemma ? reader.GemmaLayerTypes(reader.Size("num_hidden_layers", ConfigLimits.MaxLayers),
                gemma3 ? reader.OptionalSize("sliding_window_pattern", ConfigLimits.MaxLayers) ?? 6 : 2) : [],
            LocalRopeTheta = gemma3 ? reader.OptionalPositiveNumber("rope_local_base_freq") ?? 10000.0 : null,
            QueryPreAttnScalar = gemma ? reader.PositiveNumber("query_pre_attn_scalar") : null,
            // Gemma2Config caps at 50 and 30 unless told otherwise, Gemma3TextConfig not at all; Gemma 3 never caps
            // attention scores (see Gemma3AttentionSoftcap).
            AttentionLogitSoftcap = gemma3 ? Gemma3AttentionSoftcap(reader) : gemma ? reader.Softcap("attn_logit_softcapping", 50.0) : null,
            FinalLogitSoftcap = gemma ? reader.Softcap("final_logit_softcapping", gemma3 ? null : 30.0) : null,
            BosTokenId = reader.OptionalTokenId("bos_token_id", vocab),
            EosTokenIds = reader.TokenIds("eos_token_id", vocab),
            PadTokenId = reader.OptionalInt("pad_token_id"),
            TorchDtype = reader.TorchDtype(),
        };
        if (gemma)
            reader.RefuseGemmaExtensions();
        if (architecture == "MistralForCausalLM" && reader.OptionalBool("attention_bias") == true)
            throw reader.Fail("attention_bias", "Mistral with attention biases is not supported");
        // Every size is bounded above, so this count (from at most MaxLayers layers' names and shapes) is cheap.
        var parameters = config.ParameterCount;
        if (parameters > ConfigLimits.MaxParameters)
            throw new CheckpointFormatException(file, $"vocab_size, hidden_size, intermediate_size, num_hidden_layers, "
                + $"num_attention_heads, num_key_value_heads and head_dim give {parameters} parameters, above the limit of {ConfigLimits.MaxParameters}");
        return config;
    }

    /// <summary>None, always: transformers' Gemma3Attention stores <c>attn_logit_softcapping</c> but never applies it
    /// (modeling_gemma3.py, transformers commit 0018aa64: stored at line 332, while the attention call at lines
    /// 370–380 passes scaling and sliding_window and no softcap, so eager_attention_forward's cap stays None; issue 26
    /// found the same in v4.50–v4.57). Both backends read <see cref="AttentionLogitSoftcap"/>, so a non-null value is
    /// refused here, naming the field, rather than computed (scores unlike transformers') or dropped unsaid.</summary>
    private static double? Gemma3AttentionSoftcap(ConfigReader reader) => reader.Softcap("attn_logit_softcapping", null) is { } cap
        ? throw reader.Fail("attn_logit_softcapping", $"{cap} is not supported for Gemma3ForCausalLM: transformers' Gemma3Attention stores it but " +
            "never applies it, so the model is computed without it; set it to null (as published Gemma 3 configs do) to score as transformers does")
        : null;

    // Phi3's apply_rotary_pos_emb rotates cos.shape[-1] dimensions of each head and passes the rest (transformers'
    // modular_phi3.py, commit 2b6c089d); the other architectures rotate whole heads whatever the config says.
    private static double PartialRotaryFactorOf(ConfigReader reader, string architecture, int headDim)
    {
        if (reader.OptionalPositiveNumber("partial_rotary_factor") is not { } factor || factor == 1.0)
            return 1.0;
        if (architecture != "Phi3ForCausalLM")
            throw reader.Fail("partial_rotary_factor", $"{factor} is not supported for {architecture}; supported: 1.0 (RoPE on the whole head)");
        var rotaryDim = (int)(headDim * factor);
        return factor < 1.0 && rotaryDim >= 2 && rotaryDim % 2 == 0 ? factor
            : throw reader.Fail("partial_rotary_factor", $"{factor} gives {rotaryDim} rotated dimensions of head_dim {headDim}; expected an even number from 2 to head_dim");
    }

    private static string ModelTypeOf(string architecture) => architecture == "Qwen3ForCausalLM" ? "Qwen3" : "Gemma";

    // Without head_dim, heads split hidden_size evenly; a remainder would leave part of the hidden state unread.
    // Qwen3Config instead defaults head_dim to 128 whatever the hidden size (configuration_qwen3.py, transformers
    // commit 1f3ae2b3), Gemma's configs to 256; published configs of both always write it, so one without is
    // refused rather than guessed.
    private static int HeadDimOf(ConfigReader reader, string architecture, int hidden, int heads) =>
        architecture is "Qwen3ForCausalLM" or "Gemma2ForCausalLM" or "Gemma3ForCausalLM" ? throw reader.Fail("head_dim", $"missing ({ModelTypeOf(architecture)} needs it: it is not hidden_size / num_attention_heads)")
        : hidden % heads == 0 ? hidden / heads
        : throw reader.Fail("hidden_size", $"{hidden} is not divisible by num_attention_heads ({heads}) and there is no head_dim");

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(Architecture),
            ["model_type"] = ModelType,
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["num_key_value_heads"] = NumKeyValueHeads,
            ["head_dim"] = HeadDim,
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["torch_dtype"] = TorchDtype,
            ["rope_scaling"] = RopeScalingJson(),
        };
        if (PartialRotaryFactor != 1.0)
            json["partial_rotary_factor"] = PartialRotaryFactor;
        // Phi-3's place for it, which its RoPE reads (see RopeScaling).
        if (RopeScaling is { Type: "longrope" } longRope)
            json["original_max_position_embeddings"] = longRope.OriginalMaxPositionEmbeddings;
        json[IsGemma ? "hidden_activation" : "hidden_act"] = IsGemma ? "gelu_pytorch_tanh" : "silu";
        if (IsGemma)
        {
            json["sliding_window"] = SlidingWindow;
            json["layer_types"] = new JsonArray([.. LayerTypes.Select(t => (JsonNode)t)]);
            json["query_pre_attn_scalar"] = QueryPreAttnScalar;
            json["attn_logit_softcapping"] = AttentionLogitSoftcap;
            json["final_logit_softcapping"] = FinalLogitSoftcap;
        }
        if (LocalRopeTheta is { } local)
            json["rope_local_base_freq"] = local;
        if (ReadAttentionBias.Contains(Architecture))
            json["attention_bias"] = AttentionBias;
        if (Architecture == "LlamaForCausalLM")
            json["mlp_bias"] = false;
        if (Architecture == "Qwen3ForCausalLM")
            json["use_sliding_window"] = false;
        if (Architecture is "MistralForCausalLM" or "Phi3ForCausalLM")
            json["sliding_window"] = SlidingWindow;
        if (BosTokenId is { } bos)
            json["bos_token_id"] = bos;
        if (EosTokenIds.Count > 0)
            json["eos_token_id"] = EosTokenIds.Count == 1 ? EosTokenIds[0] : new JsonArray([.. EosTokenIds.Select(id => (JsonNode)id)]);
        if (PadTokenId is { } pad)
            json["pad_token_id"] = pad;
        return json;
    }

    // longrope as Phi-3 writes it: "type" and the two lists only, the keys the first Phi3Config validation
    // accepts (configuration_phi3.py, transformers commit d7991107); attention_factor only when the config had one.
    private JsonObject? RopeScalingJson()
    {
        if (RopeScaling is not { } s)
            return null;
        if (s.Type != "longrope")
        {
            return new JsonObject
            {
                ["rope_type"] = s.Type,
                ["factor"] = s.Factor,
                ["low_freq_factor"] = s.LowFreqFactor,
                ["high_freq_factor"] = s.HighFreqFactor,
                ["original_max_position_embeddings"] = s.OriginalMaxPositionEmbeddings,
            };
        }
        var json = new JsonObject
        {
            ["type"] = s.Type,
            ["short_factor"] = new JsonArray([.. s.ShortFactor!.Select(f => (JsonNode)f)]),
            ["long_factor"] = new JsonArray([.. s.LongFactor!.Select(f => (JsonNode)f)]),
        };
        if (s.AttentionFactor is { } attention)
            json["attention_factor"] = attention;
        return json;
    }

    public string ToJsonString() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
