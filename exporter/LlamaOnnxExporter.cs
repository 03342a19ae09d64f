using PoFT.Exporter.Contract;
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
    /// <returns>The graph variant written (the attention kernel resolved for this model, and why when it is not
    /// the fused one).</returns>
    /// <exception cref="ProviderContractException">A CUDA export breaks the CUDA contract; nothing is written.</exception>
    public static ExportedGraph Export(string checkpointDir, string outDir, ExportOptions options)
    {
        using var checkpoint = Checkpoint.Open(checkpointDir);
        var attention = options.AttentionFor(checkpoint.Config);
        var graph = LlamaGraphBuilder.Build(checkpoint, options);
        var metadata = new Dictionary<string, string>
        {
            [GraphMetadata.Provider] = ProviderNames.Name(options.Provider),
            [GraphMetadata.Attention] = GraphMetadata.AttentionForm(attention.Kernel, options.MaskingFor()),
        };
        // Only CUDA can go wrong silently (a node without a CUDA kernel runs on the CPU); a CPU session without a
        // kernel fails to load and names it, which bf16 exports made for a GPU elsewhere rely on.
        if (options.Provider == ExecutionProvider.Cuda)
            ProviderContract.Enforce(OnnxModelWriter.Outline(graph, metadata), options.Provider, $"export of {checkpointDir} for --provider cuda");
        var external = graph.Initializers.Sum(i => i.ByteLength) > options.ExternalDataThresholdBytes;
        Directory.CreateDirectory(outDir);
        OnnxModelWriter.Write(graph, Path.Combine(outDir, ScoringGraph.ModelFile), OnnxDomains.Opsets,
            external ? ScoringGraph.ExternalDataFile : null, metadata);
        if (!external)
            File.Delete(Path.Combine(outDir, ScoringGraph.ExternalDataFile));

        foreach (var name in Checkpoint.TokenizerFiles.Prepend(Checkpoint.ConfigFile))
        {
            var source = Path.Combine(checkpointDir, name);
            if (File.Exists(source))
                AtomicFile.Write(Path.Combine(outDir, name), target => { using var s = File.OpenRead(source); s.CopyTo(target); });
        }
        return new ExportedGraph(attention.Kernel, options.Head, options.Provider, attention.Note);
    }
}

/// <param name="AttentionNote">Why the attention is primitive when the fused kernel was not asked against, else null.</param>
public sealed record ExportedGraph(AttentionKernel Attention, HeadPositions Head, ExecutionProvider Provider, string? AttentionNote);
