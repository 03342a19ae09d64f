using PoFT.Scorer;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer;

/// <summary>The <c>score</c> verb's library side end to end: data file → manifest's ONNX models → score file.</summary>
public sealed class ScoringOnlyRunTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private static readonly IScoringBackend Ort = new OrtScoringBackend(new OrtScoringOptions { IntraOpThreads = 1 });
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Data(int count, int seed)
    {
        var path = _temp.File($"data-{count}-{seed}.jsonl");
        SftDataWriter.WriteJsonLines(path, AlignedModelsFixture.MultiTurn(count, seed));
        return path;
    }

    private static async Task Score(string manifest, string data, string output, bool resume = false)
    {
        using var run = ScoringOnlyRun.Open(ModelsManifest.Load(manifest), data, output, resume, SampleShard.All, skipBad: false, Ort,
            tokenBudget: 0, new ScoringPipelineOptions { WindowSize = 8 }, _ => { });
        await run.RunAsync(progress: null, CancellationToken.None);
    }

    [Fact]
    public async Task Weights_of_1e308_score_as_equal_weights_do()
    {
        var data = Data(10, seed: 11);
        var huge = models.Manifest("huge.json",
            AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3, weight: 1e308),
            AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl, weight: 1e308));
        await Score(huge, data, _temp.File("huge.jsonl"));

        var records = ScoreFile.Read(_temp.File("huge.jsonl"));
        Assert.Equal(10, records.Count);
        Assert.All(records, r => Assert.Equal((r.Models[0].Mean + r.Models[1].Mean) / 2, r.Reference, 12));
    }

    [Theory]
    [InlineData("failed.jsonl")]
    [InlineData("failed.msgpack")]
    public async Task A_run_that_fails_before_its_first_record_leaves_no_file(string name)
    {
        var manifest = models.Manifest("short-run.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3, maxLength: 24));
        var output = _temp.File(name);
        await Assert.ThrowsAsync<InvalidSampleException>(() => Score(manifest, Data(6, seed: 4), output));
        Assert.Empty(Directory.GetFiles(_temp.Path, "failed*"));
    }
}
