using PoFT.Planner;
using PoFT.Checkpoints;
using PoFT.Trainer.Model;
using PoFT.Trainer.Model.Lora;
using PoFT.Trainer.Training;

namespace PoFT.Bench;

/// <summary>One way of training the same model, as the memory and trainer parts compare them: the LM head
/// chunked or not, layers checkpointed or not, every weight trained or LoRA adapters only (PEFT's usual
/// r 16 on every projection, dropout 0.05).</summary>
public sealed record TrainerSetup(string Id, string Label, int LogitsChunk, bool GradientCheckpointing, LoraOptions? Lora)
{
    private static readonly LoraOptions Adapters = new();

    public static TrainerSetup Unchunked { get; } = new("unchunked", "full, LM head unchunked", 0, false, null);
    public static TrainerSetup Full { get; } = new("full", "full", ChunkedTokenLogProbs.DefaultChunk, false, null);

    public static IReadOnlyList<TrainerSetup> All { get; } =
    [
        Unchunked,
        Full,
        new("checkpointing", "full + checkpointing", ChunkedTokenLogProbs.DefaultChunk, true, null),
        new("lora", "LoRA", ChunkedTokenLogProbs.DefaultChunk, false, Adapters),
        new("lora-checkpointing", "LoRA + checkpointing", ChunkedTokenLogProbs.DefaultChunk, true, Adapters),
    ];

    public static TrainerSetup Parse(string id) =>
        All.FirstOrDefault(s => s.Id == id) ?? throw new ArgumentException($"unknown trainer setup '{id}'; setups: {string.Join(", ", All.Select(s => s.Id))}");

    public TrainingOptions Apply(TrainingOptions options) => options with { LogitsChunk = LogitsChunk, GradientCheckpointing = GradientCheckpointing, Lora = Lora };

    /// <summary>A fresh model of <paramref name="config"/> ready for this setup: with its adapter attached for LoRA.</summary>
    public LlamaForCausalLM CreateModel(ModelConfig config)
    {
        var model = ModelCheckpoint.CreateFresh(config, seed: 1);
        if (Lora is not null)
            model.AttachLora(Lora, baseModel: "bench-fresh-model", seed: 1);
        return model;
    }

    /// <summary>The same run as the planner sees it (fp32 on the CPU).</summary>
    public TrainerWorkload Plan(ModelConfig config, int batch, int length, double scoredShare) =>
        new(config, PlanDevice.Cpu, 4, Lora is null ? null : new LoraPlan(Lora.R, Lora.TargetModules, 4, Lora.Dropout > 0),
            GradientCheckpointing, batch, length, LogitsChunk, scoredShare);
}
