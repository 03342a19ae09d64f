using PoFT.Scorer.Pipeline;
using PoFT.Shared.Data;

namespace PoFT.Scorer.Benchmarks;

/// <summary>
/// Every choice's continuation of every question scored through the scoring pipeline — the one that scores
/// training data, on whichever backend the model came from (ONNX Runtime, or TorchSharp) — as the sum of its
/// tokens' log-probs given the context (<see cref="ContinuationTokenization"/>).
/// </summary>
public static class MultipleChoiceScoring
{
    /// <param name="model">The model with <see cref="ContinuationTokenization.For"/> as its tokenization.</param>
    /// <returns>Per task, per question, each choice's summed log-prob.</returns>
    public static async Task<List<double[][]>> LogLikelihoods(AlignedScorerModel model, IReadOnlyList<MultipleChoiceTask> tasks,
        IProgress<int>? scored = null, CancellationToken cancellation = default)
    {
        var samples = tasks.SelectMany((task, t) => task.Questions.SelectMany((q, i) => q.Choices.Select((_, c) =>
            ContinuationTokenization.Sample($"{t}/{i}/{c}", q.Context, q.Continuation(c))))).ToList();
        var sums = new Dictionary<string, double>(samples.Count, StringComparer.Ordinal);
        var pipeline = new ScoringPipeline([model], new ScoringPipelineOptions());
        var reader = pipeline.Start(samples, batchSize: 64, cancellation);
        await foreach (var batch in reader.ReadAllAsync(cancellation))
        {
            foreach (var score in batch.Scores)
                sums[score.SampleId] = score.PerModel[0].LogProbSum;
            scored?.Report(sums.Count);
        }
        await pipeline.Finished;
        return [.. tasks.Select((task, t) => task.Questions.Select((q, i) => q.Choices.Select((_, c) => sums[$"{t}/{i}/{c}"]).ToArray()).ToArray())];
    }
}
