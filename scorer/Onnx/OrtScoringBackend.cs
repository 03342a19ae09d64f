using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Onnx;

/// <summary>The product's backend: each aligned model's exported graph in ONNX Runtime, on the execution
/// provider its manifest entry asks for, once the graph is checked against that provider's contract.</summary>
public sealed class OrtScoringBackend(OrtScoringOptions options) : IScoringBackend
{
    public (ITokenLogProbModel Model, string Provider) Open(ModelsManifest manifest, AlignedModelSpec spec, Action<string> warn)
    {
        var path = manifest.Resolve(spec.Onnx);
        ProviderContractCheck.Enforce(manifest, spec, path, warn);
        OrtTokenLogProbModel model;
        // A manifest may name any file (docs/scoring.md, "Models manifest": paths are not confined to its folder),
        // so a file that is no scoring graph is reported as the manifest entry that named it.
        try { model = OrtTokenLogProbModel.Open(spec.Name, path, spec.Provider ?? new ExecutionProviderSpec(), options, warn); }
        catch (InvalidDataException e)
        {
            throw new ManifestException($"{manifest.Path}: model '{spec.Name}': field 'onnx': not a scoring graph ONNX Runtime can use: {e.Message}");
        }
        return (model, model.Provider);
    }
}
