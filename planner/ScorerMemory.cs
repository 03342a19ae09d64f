using PoFT.Scorer.Pipeline;
using PoFT.Checkpoints;

namespace PoFT.Planner;

/// <summary>One aligned model as the planner sees it: its shape, the bytes of its exported weights and
/// where its ONNX Runtime session runs.</summary>
/// <param name="WeightBytes">The export's initializers (float32 today: 4 bytes per parameter).</param>
/// <param name="MaxLength">Its manifest's <c>max_length</c>: the longest row in a batch.</param>
public sealed record ScorerWorkload(string Name, ModelConfig Model, long WeightBytes, int MaxLength, PlanDevice Device)
{
    /// <summary>What a batch holds: by default the scorer's own rule for the default export, whose LM head runs
    /// only where scored (<see cref="BatchBudget.For"/>), so the logits inside the session stay within 512 MiB
    /// whatever the vocabulary.</summary>
    public BatchBudget Budget { get; init; } = BatchBudget.For(Model, headOnScoredPositions: true);
}

/// <summary>
/// An aligned model's session at its peak: the weights ONNX Runtime holds, and the arena that its largest
/// batch (the token budget) fills — the logits and their log-softmax, the attention scores of the longest
/// rows, one layer's MLP intermediates; the arena keeps that high-water mark for the session's life.
/// </summary>
public static class ScorerMemory
{
    public static MemoryEstimate Estimate(ScorerWorkload w, Calibration calibration)
    {
        var c = w.Model;
        // A sample longer than the budget gets a batch of its own; at worst every token of a batch is scored.
        long budget = Math.Max(w.Budget.PaddedTokens, w.MaxLength);
        long logitsRows = Math.Min(budget, w.Budget.ScoredTokens);
        var rows = Math.Max(1, budget / w.MaxLength);
        var parts = new List<MemoryPart>
        {
            new("session (ONNX Runtime" + (w.Device == PlanDevice.Cuda ? ", CUDA EP)" : ")"), calibration.ScorerSessionBytes),
            // MLAS pre-packs a copy of the CPU provider's MatMul weights; the CUDA provider holds them once.
            new("weights", (long)(w.WeightBytes * (w.Device == PlanDevice.Cpu ? calibration.ScorerWeightCopies : 1))),
            new("logits at the token budget", (long)(logitsRows * c.VocabSize * 4L * calibration.ScorerLogitsCopies)),
            new("attention scores of the longest rows", 2L * rows * c.NumAttentionHeads * w.MaxLength * w.MaxLength * 4),
            new("one layer's activations at the token budget", budget * BatchBudget.LayerBytesPerToken(c)),
        };
        return new MemoryEstimate(w.Name, parts);
    }
}
