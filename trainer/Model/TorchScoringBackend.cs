using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Trainer.Model;

/// <summary>Scores a manifest's aligned models with TorchSharp from their checkpoints (each entry's
/// <c>checkpoint</c>): the independent side of ONNX-vs-TorchSharp parity checks and benchmarks.</summary>
public sealed class TorchScoringBackend(Placement placement) : IScoringBackend
{
    public (ITokenLogProbModel Model, string Provider) Open(ModelsManifest manifest, AlignedModelSpec spec, Action<string> warn)
    {
        var checkpoint = spec.Checkpoint ?? throw new ManifestException($"{manifest.Path}: model '{spec.Name}': field 'checkpoint' is required for --backend torch");
        return (TorchTokenLogProbModel.Load(manifest.Resolve(checkpoint), placement), $"TorchSharp {placement.Device.ToString().ToUpperInvariant()}");
    }
}
