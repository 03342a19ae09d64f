using PoFT.Exporter.Contract;
using PoFT.Exporter.Onnx.Proto;
using PoFT.Shared.Manifest;

namespace PoFT.Scorer.Onnx;

/// <summary>The manifest's provider checked against the graph it names, before a session is opened: a model asked
/// to run on CUDA whose graph CUDA would refuse, or run partly on the CPU (an fp32 or attention_bias
/// GroupQueryAttention, an op without a CUDA kernel), is refused naming the manifest, the model, the node and the
/// rule (<see cref="ProviderKernels"/>). The CPU needs no such check: a CPU session without a kernel does not load,
/// and says which.</summary>
public static class ProviderContractCheck
{
    public static void Enforce(ModelsManifest manifest, AlignedModelSpec spec, string onnxPath)
    {
        if (spec.Provider?.Kind != "cuda" || !File.Exists(onnxPath))
            return;
        // The whole file is parsed: inline weights (≤ ExportOptions.ExternalDataThresholdBytes) are read once more;
        // external ones stay on disk, only their headers are in model.onnx.
        ModelProto model;
        using (var stream = File.OpenRead(onnxPath))
        {
            try { model = ModelProto.Parser.ParseFrom(stream); }
            catch (Google.Protobuf.InvalidProtocolBufferException e)
            {
                throw new ManifestException($"{manifest.Path}: model '{spec.Name}': field 'onnx': {onnxPath} is not an ONNX model: {e.Message}");
            }
        }
        try { ProviderContract.Enforce(model, ExecutionProvider.Cuda, onnxPath); }
        catch (ProviderContractException e)
        {
            throw new ManifestException($"{manifest.Path}: model '{spec.Name}': field 'provider': {e.Message}");
        }
    }
}
