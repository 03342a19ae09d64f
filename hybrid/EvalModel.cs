using PoFT.Checkpoints;
using PoFT.Scorer.Benchmarks;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Text.Tokenizers;
using PoFT.Trainer.Model;

namespace PoFT.Hybrid;

/// <summary>The model <c>eval</c> scores with, as the scoring pipeline's model: a checkpoint in TorchSharp, or an
/// <c>export</c> directory in ONNX Runtime; either way with the directory's own tokenizer, used on plain text
/// (<see cref="ContinuationTokenization"/>), and its config's batch budget.</summary>
public static class EvalModel
{
    public static (AlignedScorerModel Model, string Backend) Checkpoint(string directory, string device) =>
        Open(directory, TorchTokenLogProbModel.Load(directory, Placement.Resolve(device)), $"TorchSharp {device}");

    public static (AlignedScorerModel Model, string Backend) Onnx(string directory, string device, int threads)
    {
        var model = OrtTokenLogProbModel.Open(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), Path.Combine(directory, ScoringGraph.ModelFile),
            Provider(device), new OrtScoringOptions { IntraOpThreads = threads }, Console.Error.WriteLine);
        return Open(directory, model, $"ONNX Runtime {model.Provider}");
    }

    /// <summary>The execution provider of a <c>--device</c> value, as the trainer's devices are named.</summary>
    private static ExecutionProviderSpec Provider(string device) => device switch
    {
        "cpu" => new("cpu"),
        "cuda" => new("cuda"),
        _ when device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device["cuda:".Length..], out var id) && id >= 0 => new("cuda", id),
        _ => throw new PoftUserException($"--device: '{device}' is not cpu, cuda or cuda:N"),
    };

    private static (AlignedScorerModel, string) Open(string directory, ITokenLogProbModel model, string backend)
    {
        try
        {
            var tokenizer = TokenizerLoader.LoadFromModelDirectory(directory);
            var budget = BatchBudget.For(ModelConfig.Load(Path.Combine(directory, PoFT.Checkpoints.Checkpoint.ConfigFile)), model.HeadOnScoredPositions);
            return (new AlignedScorerModel(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), 1, ContinuationTokenization.For(tokenizer), model, budget), backend);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
