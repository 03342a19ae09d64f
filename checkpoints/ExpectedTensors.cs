namespace PoFT.Checkpoints;

public sealed record TensorSpec(string Name, long[] Shape);

/// <summary>A tensor stored on disk as the row-wise concatenation of <paramref name="Parts"/>, in their order.</summary>
public sealed record FusedTensor(string Name, IReadOnlyList<TensorSpec> Parts);

/// <summary>The Hugging Face tensor names and shapes of a Llama-family checkpoint for a config: the
/// contract between checkpoints on disk, the TorchSharp model and the ONNX exporter.</summary>
/// <remarks>Phi-3 stores q/k/v as one <c>self_attn.qkv_proj</c> and gate/up as one <c>mlp.gate_up_proj</c>
/// (Phi3Attention and Phi3MLP in transformers' modeling_phi3.py, commit 43c2b481). The model and the exporter
/// only ever see the split projections (<see cref="Model"/>): <see cref="Checkpoint"/> reads a split one as its
/// rows of the fused tensor and fuses them again on save, so the fused layout lives in this file and there.</remarks>
public static class ExpectedTensors
{
    public const string Embedding = "model.embed_tokens.weight";
    public const string FinalNorm = "model.norm.weight";
    public const string LmHead = "lm_head.weight";

    public static string Layer(int i, string rest) => $"model.layers.{i}.{rest}";

    /// <summary>The tensors of a checkpoint file for <paramref name="c"/>, as Hugging Face names them on disk.</summary>
    public static IReadOnlyList<TensorSpec> For(ModelConfig c)
    {
        var fused = Fused(c);
        if (fused.Count == 0)
            return Model(c);
        var first = fused.ToDictionary(f => f.Parts[0].Name, f => new TensorSpec(f.Name, [f.Parts.Sum(p => p.Shape[0]), f.Parts[0].Shape[1]]));
        var inFused = fused.SelectMany(f => f.Parts.Skip(1)).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return [.. Model(c).Where(s => !inFused.Contains(s.Name)).Select(s => first.GetValueOrDefault(s.Name, s))];
    }

    /// <summary>The fused tensors of <paramref name="c"/>'s checkpoint files: none but for Phi-3.</summary>
    public static IReadOnlyList<FusedTensor> Fused(ModelConfig c)
    {
        if (!c.FusedProjections)
            return [];
        var specs = Model(c).ToDictionary(s => s.Name);
        FusedTensor Of(int i, string name, params string[] parts) => new(Layer(i, name), [.. parts.Select(p => specs[Layer(i, p)])]);
        return [.. Enumerable.Range(0, c.NumHiddenLayers).SelectMany(i => new[]
        {
            Of(i, "self_attn.qkv_proj.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight"),
            Of(i, "mlp.gate_up_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight"),
        })];
    }

    /// <summary>The tensors the TorchSharp model's state dict and the exporter use: q/k/v and gate/up always split.</summary>
    public static IReadOnlyList<TensorSpec> Model(ModelConfig c)
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
