using System.Runtime.InteropServices;
using PoFT.Scorer.Pipeline;
using PoFT.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;

namespace PoFT.Tests.Scorer;

public sealed class ScoringPipelineTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TorchTokenLogProbModel _modelA;
    private readonly TorchTokenLogProbModel _modelB;

    public ScoringPipelineTests()
    {
        _modelA = TorchTokenLogProbModel.Load(RandomCheckpoints.Write(_temp.Sub("a"), RandomCheckpoints.Config("gqa-tied"), seed: 1), Placement.Cpu);
        _modelB = TorchTokenLogProbModel.Load(RandomCheckpoints.Write(_temp.Sub("b"), RandomCheckpoints.Config("qwen2-bias-kv1"), seed: 2), Placement.Cpu);
    }

    public void Dispose()
    {
        _modelA.Dispose();
        _modelB.Dispose();
        _temp.Dispose();
    }

    private AlignedScorerModel[] Models(Func<SftSample, PoFT.Text.Chat.TokenizedSample>? tokenizeA = null, int tokenBudget = 512) =>
    [
        new("a", 1.0, tokenizeA ?? CharTokenization.For(97), _modelA, new BatchBudget(tokenBudget, int.MaxValue)),
        new("b", 3.0, CharTokenization.For(97), _modelB, new BatchBudget(tokenBudget, int.MaxValue)),
    ];

    private static async Task<List<ScoredBatch>> Drain(System.Threading.Channels.ChannelReader<ScoredBatch> reader, CancellationToken token = default)
    {
        var batches = new List<ScoredBatch>();
        await foreach (var batch in reader.ReadAllAsync(token))
            batches.Add(batch);
        return batches;
    }

    /// <summary>The score of one sample computed on its own, unpadded, outside the pipeline.</summary>
    private static ModelScore Alone(TorchTokenLogProbModel model, SftSample sample)
    {
        var tokenized = CharTokenization.For(97)(sample);
        var n = tokenized.TokenIds.Length;
        var output = new float[n - 1];
        model.TokenLogProbs(tokenized.TokenIds.Select(i => (long)i).ToArray(), Enumerable.Repeat(1L, n).ToArray(), 1, n, output);
        var picked = Enumerable.Range(1, n - 1).Where(t => tokenized.ResponseMask[t]).ToList();
        return new ModelScore(picked.Sum(t => (double)output[t - 1]), picked.Count);
    }

    [Fact]
    public async Task Packed_batched_scores_equal_each_sample_scored_alone_in_input_order()
    {
        var samples = CharTokenization.Samples(37, seed: 3);
        var pipeline = new ScoringPipeline(Models(tokenBudget: 200), new ScoringPipelineOptions { WindowSize = 10 });
        var batches = await Drain(pipeline.Start(samples, batchSize: 4));

        Assert.Equal(samples.Select(s => s.Id), batches.SelectMany(b => b.Samples).Select(s => s.Id));
        Assert.All(batches.SkipLast(1), b => Assert.Equal(4, b.Samples.Count));
        var scores = batches.SelectMany(b => b.Scores).ToList();
        for (var i = 0; i < samples.Count; i++)
        {
            var a = Alone(_modelA, samples[i]);
            var b = Alone(_modelB, samples[i]);
            Assert.Equal(samples[i].Id, scores[i].SampleId);
            Assert.Equal(a.TokenCount, scores[i].PerModel[0].TokenCount);
            Assert.Equal(a.LogProbSum, scores[i].PerModel[0].LogProbSum, 1e-3);
            Assert.Equal(b.LogProbSum, scores[i].PerModel[1].LogProbSum, 1e-3);
            // r̄ is the weighted mean (weights 1 and 3) of the per-token means.
            Assert.Equal((a.Mean + 3 * b.Mean) / 4, scores[i].Reference, 1e-5);
        }
        Assert.All(pipeline.Statistics, s => Assert.Equal(samples.Count, s.Samples));
        Assert.All(pipeline.Statistics, s => Assert.True(s.Batches > samples.Count / 10));
    }

    [Fact]
    public async Task A_scorer_failure_reaches_the_consumer_with_its_cause()
    {
        var samples = CharTokenization.Samples(50, seed: 4);
        var tokenize = CharTokenization.For(97);
        var failing = Models(s => s.Id == "s33" ? throw new InvalidDataException("tokenizer broke on s33") : tokenize(s));
        var pipeline = new ScoringPipeline(failing, new ScoringPipelineOptions { WindowSize = 8 });
        var consumed = new List<ScoredBatch>();
        var drain = Task.Run(async () =>
        {
            await foreach (var batch in pipeline.Start(samples, batchSize: 4).ReadAllAsync())
                consumed.Add(batch);
        });
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => drain.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("s33", error.Message);
        Assert.True(consumed.SelectMany(b => b.Samples).Count() <= 32, "no sample at or after the failing window may be delivered");
    }

    [Fact]
    public async Task A_model_whose_output_is_not_finite_stops_scoring_naming_the_model_and_sample()
    {
        // Finite weights, as a checkpoint check passes them, but final-norm weights of 1e38 push the logits
        // past float's range: the log-probs come out as NaN or -∞, as from a diverged fine-tune.
        var config = RandomCheckpoints.Config("gqa-tied");
        var random = new Random(6);
        var tensors = ExpectedTensors.For(config).Select(spec =>
        {
            var values = new float[spec.Shape.Aggregate(1L, (a, b) => a * b)];
            for (var i = 0; i < values.Length; i++)
                values[i] = spec.Name == ExpectedTensors.FinalNorm ? 1e38f : (float)(0.3 * (random.NextDouble() - 0.5));
            return new TensorData(spec.Name, SafetensorsDType.F32, spec.Shape, MemoryMarshal.AsBytes<float>(values).ToArray());
        }).ToList();
        Checkpoint.Save(_temp.File("overflowing"), config, tensors, tokenizerDirectory: null);
        using var overflowing = TorchTokenLogProbModel.Load(_temp.File("overflowing"), Placement.Cpu);
        var samples = CharTokenization.Samples(12, seed: 7);
        var pipeline = new ScoringPipeline([Models()[0], new("broken", 1.0, CharTokenization.For(97), overflowing, new BatchBudget(512, int.MaxValue))],
            new ScoringPipelineOptions { WindowSize = 4 });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Drain(pipeline.Start(samples, batchSize: 4)).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("aligned model 'broken'", error.Message);
        Assert.Matches("sample 's([0-9]|1[01])'", error.Message);
        Assert.Contains("not finite", error.Message);
    }

    [Fact]
    public async Task Consumer_cancellation_stops_the_scorer()
    {
        var samples = CharTokenization.Samples(10_000, seed: 5);
        var pipeline = new ScoringPipeline(Models(), new ScoringPipelineOptions { WindowSize = 16 });
        using var cancel = new CancellationTokenSource();
        var reader = pipeline.Start(samples, batchSize: 4, cancel.Token);
        await reader.ReadAsync();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Drain(reader).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(pipeline.Statistics[0].Samples < samples.Count);
    }
}
