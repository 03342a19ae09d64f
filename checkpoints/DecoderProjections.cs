namespace PoFT.Checkpoints;

/// <summary>The linear projections of one Llama-family decoder layer, by their Hugging Face names, with
/// their input and output widths: what LoRA may adapt, and what an adapter on each costs.</summary>
public static class DecoderProjections
{
    public static readonly IReadOnlyList<string> Names = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>Why LoRA may not adapt <paramref name="c"/>'s projections, or null when it may. PEFT targets
    /// Phi-3's fused qkv_proj and gate_up_proj modules, so adapters on the split projections the model trains
    /// would not load there.</summary>
    public static string? LoraRefusal(ModelConfig c) => c.FusedProjections
        ? $"LoRA on {c.Architecture} is not supported: its checkpoints fuse q/k/v into qkv_proj and gate/up into gate_up_proj, "
            + "and PEFT could not load adapters on the split projections; train it without LoRA"
        : null;

    /// <summary>Why an adapter of rank <paramref name="r"/> may not sit on <paramref name="targets"/>, or null when it
    /// may: a rank above a projection's own (the smaller of its widths) adds only parameters B·A cannot use — and an
    /// absurd one (10⁸) would ask libtorch for terabytes. Checked from config.json, before anything is allocated.</summary>
    public static string? RankRefusal(ModelConfig c, int r, IEnumerable<string> targets)
    {
        if (r < 1)
            return $"r {r}: expected a rank of at least 1";
        var (name, rank) = targets.Select(t => (Name: t, Rank: Math.Min(Shape(c, t).In, Shape(c, t).Out))).MinBy(t => t.Rank);
        return name is not null && r > rank
            ? $"r {r} is above the rank of {name} ({Shape(c, name).In}×{Shape(c, name).Out}): expected at most {rank} for the projections targeted"
            : null;
    }

    public static (long In, long Out) Shape(ModelConfig c, string name)
    {
        long q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        return name switch
        {
            "q_proj" => (c.HiddenSize, q),
            "k_proj" or "v_proj" => (c.HiddenSize, kv),
            "o_proj" => (q, c.HiddenSize),
            "gate_proj" or "up_proj" => (c.HiddenSize, c.IntermediateSize),
            "down_proj" => (c.IntermediateSize, c.HiddenSize),
            _ => throw new ArgumentException($"unknown projection '{name}'; expected one of {string.Join(", ", Names)}"),
        };
    }
}
