using PoFT.Exporter.Contract;
using PoFT.Exporter.Onnx.Proto;
using PoFT.Shared.Manifest;

namespace PoFT.Scorer.Onnx;

/// <summary>The manifest's provider checked against the graph it names, before a session is opened: a model asked
/// to run on CUDA whose graph CUDA would refuse, or run partly on the CPU (an fp32 or attention_bias
/// GroupQueryAttention, an op without a CUDA kernel), is refused naming the manifest, the model, the node and the
/// rule (<see cref="ProviderKernels"/>). The CPU needs no such check: a CPU session without a kernel does not load,
/// and says which. A graph exported for another provider than the manifest's is named in a warning.</summary>
public static class ProviderContractCheck
{
    public static void Enforce(ModelsManifest manifest, AlignedModelSpec spec, string onnxPath, Action<string> warn)
    {
        var kind = spec.Provider?.Kind ?? "cpu";
        if (!File.Exists(onnxPath))
            return;
        if (kind != "cuda")
        {
            // Only the metadata is wanted here: a CPU graph needs no walk.
            if (ExportedFor(onnxPath) is { } exportedFor && exportedFor != kind)
                warn($"{manifest.Path}: model '{spec.Name}': {onnxPath} was exported for {exportedFor} (--provider {exportedFor}) but runs on {kind}");
            return;
        }
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

    /// <summary>The <see cref="GraphMetadata.Provider"/> an export recorded, read from the model file's metadata
    /// without parsing its graph or weights (ONNX Runtime's own metadata reader would need a session).</summary>
    private static string? ExportedFor(string onnxPath)
    {
        try
        {
            using var stream = File.OpenRead(onnxPath);
            var input = new Google.Protobuf.CodedInputStream(stream);
            // ModelProto field 14, metadata_props (onnx.proto): every other field is skipped unread.
            while (input.ReadTag() is var tag && tag != 0)
            {
                if (Google.Protobuf.WireFormat.GetTagFieldNumber(tag) != ModelProto.MetadataPropsFieldNumber)
                {
                    input.SkipLastField();
                    continue;
                }
                var entry = new StringStringEntryProto();
                input.ReadMessage(entry);
                if (entry.Key == GraphMetadata.Provider)
                    return entry.Value;
            }
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            // Not an ONNX file: the session's load reports that, naming the manifest entry.
        }
        return null;
    }
}
