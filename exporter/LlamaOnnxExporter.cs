using PoFT.Exporter.Onnx;
using PoFT.Shared;
using PoFT.Shared.Checkpoints;
using PoFT.Shared.Scoring;

namespace PoFT.Exporter;

/// <summary>
/// Exports a Llama-family checkpoint to an ONNX scoring graph with inputs <c>input_ids</c> and
/// <c>attention_mask</c> (int64 [batch, seq]) and output <c>token_logprobs</c> (float [batch, seq−1]),
/// plus <c>logits</c> when asked. The output directory also gets config.json and the tokenizer files.
/// </summary>
public static class LlamaOnnxExporter
{
    public const int OnnxOpset = 17;

    public static void Export(string checkpointDir, string outDir, ExportOptions options)
    {
        using var checkpoint = Checkpoint.Open(checkpointDir);
        var graph = LlamaGraphBuilder.Build(checkpoint, options);
        var external = graph.Initializers.Sum(i => i.ByteLength) > options.ExternalDataThresholdBytes;
        Directory.CreateDirectory(outDir);
        OnnxModelWriter.Write(graph, Path.Combine(outDir, ScoringGraph.ModelFile), Opsets(graph), external ? ScoringGraph.ExternalDataFile : null);
        if (!external)
            File.Delete(Path.Combine(outDir, ScoringGraph.ExternalDataFile));

        foreach (var name in Checkpoint.TokenizerFiles.Prepend(Checkpoint.ConfigFile))
        {
            var source = Path.Combine(checkpointDir, name);
            if (File.Exists(source))
                AtomicFile.Write(Path.Combine(outDir, name), target => { using var s = File.OpenRead(source); s.CopyTo(target); });
        }
    }

    /// <summary>The default domain at <see cref="OnnxOpset"/>, and ONNX Runtime's contrib domain (version 1,
    /// its only one) when a node uses it (MatMulNBits): a model must import every domain its nodes name.</summary>
    public static Dictionary<string, long> Opsets(OnnxGraph graph)
    {
        var opsets = new Dictionary<string, long> { [""] = OnnxOpset };
        foreach (var domain in graph.Proto.Node.Select(n => n.Domain).Where(d => d.Length > 0).Distinct())
            opsets[domain] = 1;
        return opsets;
    }
}
