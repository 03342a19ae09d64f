using PoFT.Shared.Checkpoints;

namespace PoFT.Planner;

/// <summary>The projections of one decoder layer, by their Hugging Face names, with their input and output
/// widths: what a LoRA adapter on each costs.</summary>
public static class Projections
{
    public static readonly IReadOnlyList<string> All = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

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
            _ => throw new ArgumentException($"unknown projection '{name}'; expected one of {string.Join(", ", All)}"),
        };
    }

    /// <summary>Adapter parameters over all layers: r·(in + out) per adapted projection.</summary>
    public static long LoraParameters(ModelConfig c, LoraPlan lora) =>
        c.NumHiddenLayers * lora.TargetModules.Sum(t => { var (i, o) = Shape(c, t); return (long)lora.Rank * (i + o); });
}
