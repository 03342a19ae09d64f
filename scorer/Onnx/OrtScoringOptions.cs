using Microsoft.ML.OnnxRuntime;

namespace PoFT.Scorer.Onnx;

/// <summary>ONNX Runtime session settings for aligned models; the defaults are the ones measured fastest
/// on CPU for this graph (docs/performance.md).</summary>
public sealed record OrtScoringOptions
{
    /// <summary>Threads of one session's operators; 0 lets ORT use every core.</summary>
    public int IntraOpThreads { get; init; }
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
    public bool EnableMemoryArena { get; init; } = true;
    /// <summary>Keep each MatMul weight as stored instead of also re-laid-out for MLAS at load: the bench's
    /// large part measures what that does to a 1.1B session's memory and speed (docs/performance.md, "Models above 2 GB").</summary>
    public bool DisablePrepacking { get; init; }
    /// <summary>Fail instead of falling back to CPU when a model asks for CUDA and it is unavailable.</summary>
    public bool RequireGpu { get; init; }
}
