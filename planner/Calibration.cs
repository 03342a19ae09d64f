namespace PoFT.Planner;

/// <summary>
/// What the planner cannot derive from a config: the runtimes' own footprint and how many copies of a
/// buffer the libraries keep alive at once. Measured on the CPU machine docs/performance.md reports (peak RSS of
/// fresh processes, `bench --parts memory`, which prints planned and measured side by side); the CUDA
/// figures are not measured here (no GPU) and are the usual sizes of a CUDA context with libtorch's and
/// ONNX Runtime's kernels loaded.
/// </summary>
public sealed record Calibration
{
    /// <summary>A process before its models: .NET, libtorch and ONNX Runtime loaded (the trainer's process, in
    /// which the aligned models' sessions run too).</summary>
    public long ProcessRuntimeBytes { get; init; } = 300L << 20;

    /// <summary>One ONNX Runtime session beyond its weights and arena.</summary>
    public long ScorerSessionBytes { get; init; } = 60L << 20;

    /// <summary>Copies of the weights an ONNX Runtime CPU session keeps: the initializers and MLAS's pre-packed
    /// MatMul weights (measured: 2.0 fits 20m–174M models within 10 %).</summary>
    public double ScorerWeightCopies { get; init; } = 2.0;

    /// <summary>[tokens, vocabulary] fp32 buffers alive at once in the session's head: the logits and their
    /// LogSoftmax (<see cref="PoFT.Scorer.Pipeline.BatchBudget.LogitsCopies"/>; the gather reads the latter).</summary>
    public double ScorerLogitsCopies { get; init; } = PoFT.Scorer.Pipeline.BatchBudget.LogitsCopies;

    /// <summary>Copies of the [positions, vocabulary] fp32 logits alive at the peak of the unchunked LM head
    /// (logits, the log-sum-exp's exponentials, its gradient and the gather's scattered gradient: measured
    /// 3.1 at vocabulary 32000 and 3.5 at 128256 from the unchunked head's peak over the chunked one's).</summary>
    public double UnchunkedLogitsCopies { get; init; } = 3.5;

    /// <summary>The same for one chunk of the chunked LM head (logits, softmax, gradient of one chunk).</summary>
    public double ChunkedLogitsCopies { get; init; } = 3.0;

    /// <summary>Whether libtorch's CPU scaled_dot_product_attention keeps the [heads, seq, seq] probabilities
    /// for the backward pass (its composed path) rather than only the output and log-sum-exp (fused).</summary>
    public bool CpuAttentionKeepsScores { get; init; } = false;

    /// <summary>Recomputed layers whose freed pages are still resident at a checkpointed backward pass's peak
    /// on the CPU: HostMemory returns free heap pages once a second, longer than one layer's recomputation
    /// takes (measured over the planned live tensors: 1.1–1.6 layers with LoRA at 100m and 1.1B, 4 with full
    /// fine-tuning at 100m, whose layers' weight gradients churn as well; 1 keeps every figure within 15 %).</summary>
    public double CpuUntrimmedLayers { get; init; } = 1.0;

    /// <summary>A CUDA context with libtorch's kernels, per GPU the trainer uses (not measured here).</summary>
    public long CudaContextBytes { get; init; } = 1L << 30;

    public static Calibration ThisProject { get; } = new();
}
