using PoFT.Exporter.Onnx;
using PoFT.Shared;
using PoFT.Checkpoints;
using PoFT.Shared.Scoring;

namespace PoFT.Exporter;

/// <summary>
/// Exports a Llama-family checkpoint to an ONNX scoring graph with inputs <c>input_ids</c> and
/// <c>attention_mask</c> (int64 [batch, seq]), <c>score_mask</c> (int64 [batch, seq−1]) unless the head runs at
/// every position, and output <c>token_logprobs</c> (float [batch, seq−1]), plus <c>logits</c> when asked.
/// The output directory also gets config.json and the tokenizer files.
/// </summary>
public static class LlamaOnnxExporter
{
    /// <returns>The graph variant written (the attention kernel resolved for this model).</returns>
    public static ExportedGraph Export(string checkpointDir, string outDir, ExportOptions options)
    {
        using var checkpoint = Checkpoint.Open(checkpointDir);
        var graph = LlamaGraphBuilder.Build(checkpoint, options);
        var external = graph.Initializers.Sum(i => i.ByteLength) > options.ExternalDataThresholdBytes;
        Directory.CreateDirectory(outDir);
        OnnxModelWriter.Write(graph, Path.Combine(outDir, ScoringGraph.ModelFile), OnnxDomains.Opsets,
            external ? ScoringGraph.ExternalDataFile : null);
        if (!external)
            File.Delete(Path.Combine(outDir, ScoringGraph.ExternalDataFile));

        foreach (var name in Checkpoint.TokenizerFiles.Prepend(Checkpoint.ConfigFile))
        {
            var source = Path.Combine(checkpointDir, name);
            if (File.Exists(source))
                AtomicFile.Write(Path.Combine(outDir, name), target => { using var s = File.OpenRead(source); s.CopyTo(target); });
        }
        return new ExportedGraph(options.AttentionFor(checkpoint.Config), options.Head);
    }
}

public sealed record ExportedGraph(AttentionKernel Attention, HeadPositions Head);
