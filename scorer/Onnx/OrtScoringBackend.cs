using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Onnx;

/// <summary>The product's backend: each aligned model's exported graph in ONNX Runtime, on the execution
/// provider its manifest entry asks for.</summary>
public sealed class OrtScoringBackend(OrtScoringOptions options) : IScoringBackend
{
    public (ITokenLogProbModel Model, string Provider) Open(ModelsManifest manifest, AlignedModelSpec spec, Action<string> warn)
    {
        var model = OrtTokenLogProbModel.Open(spec.Name, manifest.Resolve(spec.Onnx), spec.Provider ?? new ExecutionProviderSpec(), options, warn);
        return (model, model.Provider);
    }
}
