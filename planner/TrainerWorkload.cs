using PoFT.Checkpoints;

namespace PoFT.Planner;

public enum PlanDevice { Cpu, Cuda }

/// <summary>LoRA as the planner sees it: which projections get adapters of which rank, and how the frozen
/// base is held.</summary>
/// <param name="BaseBytes">Bytes per frozen base weight: 4 (float32) or 2 (bfloat16).</param>
/// <param name="Dropout">Whether adapter dropout is on: each adapted projection then keeps its own
/// dropped-out input for the backward pass.</param>
public sealed record LoraPlan(int Rank, IReadOnlyList<string> TargetModules, int BaseBytes, bool Dropout);

/// <summary>One training run as the planner sees it. Every sample is assumed to be <see cref="MaxLength"/>
/// tokens long: a peak is planned for the worst batch, not the average one.</summary>
/// <param name="ComputeBytes">Bytes per activation and trainable weight: 4 (float32) or 2 (bfloat16).</param>
/// <param name="LogitsChunk">Scored positions per LM-head chunk; 0: all at once.</param>
/// <param name="ScoredShare">The share of tokens that are scored response tokens (1: plan for the worst).</param>
public sealed record TrainerWorkload(
    ModelConfig Model,
    PlanDevice Device,
    int ComputeBytes,
    LoraPlan? Lora,
    bool GradientCheckpointing,
    int BatchSize,
    int MaxLength,
    int LogitsChunk,
    double ScoredShare = 1.0)
{
    public long ScoredPositions => (long)Math.Ceiling(Tokens * ScoredShare);

    public long Tokens => (long)BatchSize * MaxLength;
}
