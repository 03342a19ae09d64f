using System.CommandLine;
using System.Diagnostics;
using PoFT.Exporter;
using PoFT.Exporter.Contract;
using PoFT.Exporter.Precision;
using PoFT.Hybrid;
using PoFT.Shared.Scoring;

namespace PoFT.Cli.Commands;

/// <summary><c>export</c>: checkpoint directory → ONNX scoring graph, optionally verified against TorchSharp.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "Hugging Face checkpoint directory (config.json + safetensors)", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "directory for model.onnx (+ model.onnx.data), config and tokenizer files", Required = true };
        var attention = new Option<AttentionKernel?>("--attention") { Description = "fused: ONNX Runtime's GroupQueryAttention kernel; primitive: standard ONNX ops only (default: fused where the --provider's kernel takes the model and --dtype, else primitive with a note)" };
        var provider = new Option<ExecutionProvider>("--provider") { Description = "the ONNX Runtime execution provider the graph is laid out for and checked against: cpu, or cuda (fused attention without attention_bias, in fp16/bf16; recorded in the model's metadata)", DefaultValueFactory = _ => ExecutionProvider.Cpu };
        var fusedMask = new Option<FusedMasking?>("--fused-mask") { Description = "how the fused attention masks: bias (an additive mask, any padding) or lengths (seqlens_k, the form CUDA takes); default: bias for cpu, lengths for cuda" };
        var head = new Option<HeadPositions>("--head") { Description = "scored: the LM head runs only where the score_mask input asks; all: at every position", DefaultValueFactory = _ => HeadPositions.Scored };
        var logits = new Option<bool>("--logits") { Description = "also export the full [batch, seq, vocab] logits as a second output (needs --head all)" };
        var dtype = new Option<string>("--dtype") { Description = "weights and compute: fp32, fp16 or bf16 (RMSNorm, softmax and log-probs stay fp32)", DefaultValueFactory = _ => "fp32" };
        var quantize = new Option<string>("--quantize") { Description = "weight-only quantization of the decoder projections (MatMulNBits): none, int8 or int4", DefaultValueFactory = _ => "none" };
        var blockSize = new Option<int>("--block-size") { Description = "weights per quantization block (power of two ≥ 16)", DefaultValueFactory = _ => ExportPrecision.DefaultBlockSize };
        var overwrite = new Option<bool>("--overwrite") { Description = "replace what a non-empty --out holds (without it, a non-empty --out is refused)" };
        var verify = new Option<bool>("--verify") { Description = $"run ONNX Runtime and TorchSharp on the same random batch; fail if they differ by more than the precision's tolerance ({ExportCheck.Tolerance:0e0} for fp32)" };
        var command = new Command("export", "Export a checkpoint to the ONNX scoring graph") { checkpoint, output, attention, provider, fusedMask, head, logits, dtype, quantize, blockSize, verify, overwrite };
        command.SetAction(parse =>
        {
            var source = parse.GetRequiredValue(checkpoint).FullName;
            var target = parse.GetRequiredValue(output).FullName;
            ExportTarget.Claim(source, target, parse.GetValue(overwrite));
            // A bad value throws ArgumentException naming the option; Program prints it as one line.
            var precision = new ExportPrecision
            {
                Dtype = ExportPrecision.ParseDtype(parse.GetValue(dtype)!),
                Quantize = ExportPrecision.ParseQuantization(parse.GetValue(quantize)!),
                BlockSize = parse.GetValue(blockSize),
            }.Validated();
            var clock = Stopwatch.StartNew();
            var options = new ExportOptions
            {
                Attention = parse.GetValue(attention), Provider = parse.GetValue(provider), Masking = parse.GetValue(fusedMask),
                Head = parse.GetValue(head), IncludeLogits = parse.GetValue(logits), Precision = precision,
            };
            var graph = LlamaOnnxExporter.Export(source, target, options);
            if (graph.AttentionNote is { } note)
                Console.WriteLine($"note: {note}");
            Console.WriteLine($"wrote {Path.Combine(target, ScoringGraph.ModelFile)} for {ProviderNames.Name(graph.Provider)} ({graph.Attention.ToString().ToLowerInvariant()} attention, " +
                $"LM head at {(graph.Head == HeadPositions.Scored ? "the scored positions" : "every position")}, {precision}) in {clock.Elapsed.TotalSeconds:F1} s");
            if (!parse.GetValue(verify))
                return 0;
            var tolerance = precision.VerifyTolerance;
            var difference = ExportCheck.Verify(source, target);
            Console.WriteLine($"max_rel_diff={difference:E3} (tolerance {tolerance:0.#e0} for {precision})");
            if (difference <= tolerance)
                return 0;
            Console.Error.WriteLine($"error: ONNX Runtime and TorchSharp differ by {difference:E3} > {tolerance:0.#e0} ({precision})");
            return 1;
        });
        return command;
    }
}
