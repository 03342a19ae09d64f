namespace PoFT.Cli.Scoring;

/// <summary>What runs the aligned models: their exported ONNX graphs (the product), or their TorchSharp
/// checkpoints (parity checks and benchmarks; needs each model's <c>checkpoint</c> in the manifest).</summary>
public enum ScoringBackend { Onnx, Torch }
