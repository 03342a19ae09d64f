namespace PoFT.Shared.Checkpoints;

public sealed record TensorSpec(string Name, long[] Shape);

/// <summary>The Hugging Face tensor names and shapes of a Llama-family checkpoint for a config: the
/// contract between checkpoints on disk, the TorchSharp model and the ONNX exporter.</summary>
public static class ExpectedTensors
{
    public const string Embedding = "model.embed_tokens.weight";
    public const string FinalNorm = "model.norm.weight";
    public const string LmHead = "lm_head.weight";

    public static string Layer(int i, string rest) => $"model.layers.{i}.{rest}";

    public static IReadOnlyList<TensorSpec> For(ModelConfig c)
    {
        long h = c.HiddenSize, q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        var specs = new List<TensorSpec> { new(Embedding, [c.VocabSize, h]) };
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            specs.Add(new(Layer(i, "input_layernorm.weight"), [h]));
            specs.Add(new(Layer(i, "self_attn.q_proj.weight"), [q, h]));
            specs.Add(new(Layer(i, "self_attn.k_proj.weight"), [kv, h]));
            specs.Add(new(Layer(i, "self_attn.v_proj.weight"), [kv, h]));
            if (c.QkvBias)
            {
                specs.Add(new(Layer(i, "self_attn.q_proj.bias"), [q]));
                specs.Add(new(Layer(i, "self_attn.k_proj.bias"), [kv]));
                specs.Add(new(Layer(i, "self_attn.v_proj.bias"), [kv]));
            }
            specs.Add(new(Layer(i, "self_attn.o_proj.weight"), [h, q]));
            if (c.OutputProjectionBias)
                specs.Add(new(Layer(i, "self_attn.o_proj.bias"), [h]));
            if (c.QkNorm)
            {
                specs.Add(new(Layer(i, "self_attn.q_norm.weight"), [c.HeadDim]));
                specs.Add(new(Layer(i, "self_attn.k_norm.weight"), [c.HeadDim]));
            }
            specs.Add(new(Layer(i, "post_attention_layernorm.weight"), [h]));
            if (c.IsGemma)
            {
                specs.Add(new(Layer(i, "pre_feedforward_layernorm.weight"), [h]));
                specs.Add(new(Layer(i, "post_feedforward_layernorm.weight"), [h]));
            }
            specs.Add(new(Layer(i, "mlp.gate_proj.weight"), [c.IntermediateSize, h]));
            specs.Add(new(Layer(i, "mlp.up_proj.weight"), [c.IntermediateSize, h]));
            specs.Add(new(Layer(i, "mlp.down_proj.weight"), [h, c.IntermediateSize]));
        }
        specs.Add(new(FinalNorm, [h]));
        if (!c.TieWordEmbeddings)
            specs.Add(new(LmHead, [c.VocabSize, h]));
        return specs;
    }

    /// <summary>Tensors some exporters write that carry nothing this model needs.</summary>
    public static bool IsIgnorable(string name, ModelConfig c) =>
        name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal) || (c.TieWordEmbeddings && name == LmHead);
}
