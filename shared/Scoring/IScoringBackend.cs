using PoFT.Shared.Manifest;

namespace PoFT.Shared.Scoring;

/// <summary>What runs a manifest's aligned models: ONNX Runtime on their exports (the scorer's own), or
/// TorchSharp on their checkpoints (the trainer's, for parity checks and benchmarks). The scorer opens a
/// manifest through this, so it never references TorchSharp.</summary>
public interface IScoringBackend
{
    /// <returns>The opened model and a description of where it runs (e.g. "CPUExecutionProvider").</returns>
    (ITokenLogProbModel Model, string Provider) Open(ModelsManifest manifest, AlignedModelSpec spec, Action<string> warn);
}
