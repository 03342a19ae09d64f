using System.Text.Json.Nodes;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Scorer;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Text.Chat;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Hybrid;

/// <summary><c>--skip-bad</c> on <c>score</c> and <c>train</c> skips, and lists with file:line and why, the samples
/// that a model's max_length and truncation cannot fit; without it the error names <c>truncation</c> and its choices.</summary>
public sealed class SkipUnfitSamplesTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Five short samples and, on line 3, one whose ~150-word response no 64-token limit holds.</summary>
    private string Data()
    {
        var path = _temp.File("data.jsonl");
        var lines = Enumerable.Range(0, 6).Select(i => new JsonObject
        {
            ["id"] = $"s{i}",
            ["prompt"] = $"question {i}",
            ["response"] = i == 2 ? string.Join(" ", Enumerable.Repeat("a long answer", 50)) : $"answer {i}",
        }.ToJsonString());
        File.WriteAllLines(path, lines);
        return path;
    }

    private string Manifest(string truncation)
    {
        var entry = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3, maxLength: 64);
        entry["truncation"] = truncation;
        return models.Manifest($"skip-{truncation}.json", entry);
    }

    [Theory]
    [InlineData("error")]
    [InlineData("truncate-response")]
    public async Task Score_skips_and_lists_the_samples_no_truncation_fits(string truncation)
    {
        var data = Data();
        var output = _temp.File($"scores-{truncation}.jsonl");
        var backend = new OrtScoringBackend(new OrtScoringOptions { IntraOpThreads = 1 });
        if (truncation == "truncate-response")
        {
            // Cutting the end always leaves response tokens of a short prompt: nothing to skip.
            using var fits = ScoringOnlyRun.Open(ModelsManifest.Load(Manifest(truncation)), data, output, false, SampleShard.All, skipBad: true, backend, 0,
                new ScoringPipelineOptions { WindowSize = 8 }, _ => { });
            Assert.Empty(fits.Unfit);
            return;
        }
        using (var run = ScoringOnlyRun.Open(ModelsManifest.Load(Manifest(truncation)), data, output, false, SampleShard.All, skipBad: true, backend, 0,
            new ScoringPipelineOptions { WindowSize = 8 }, _ => { }))
        {
            var unfit = Assert.Single(run.Unfit);
            Assert.Equal($"{data}:3", unfit.Location);
            Assert.Contains("llama", unfit.Reason);
            Assert.Contains("truncation 'error'", unfit.Reason);
            Assert.Equal(5, run.Todo.Count);
            await run.RunAsync(progress: null, CancellationToken.None);
        }
        Assert.Equal(["s0", "s1", "s3", "s4", "s5"], ScoreFile.Read(output).Select(r => r.Id));
    }

    [Fact]
    public async Task Without_skip_bad_the_error_names_truncation_and_its_choices()
    {
        var output = _temp.File("scores-strict.jsonl");
        var error = await Assert.ThrowsAsync<InvalidSampleException>(async () =>
        {
            using var run = ScoringOnlyRun.Open(ModelsManifest.Load(Manifest("error")), Data(), output, false, SampleShard.All, skipBad: false,
                new OrtScoringBackend(new OrtScoringOptions { IntraOpThreads = 1 }), 0, new ScoringPipelineOptions { WindowSize = 8 }, _ => { });
            await run.RunAsync(progress: null, CancellationToken.None);
        });
        Assert.Contains("sample 's2'", error.Message);
        Assert.Contains("field 'truncation' may be truncate-prompt", error.Message);
        Assert.Contains("--skip-bad", error.Message);
    }

    [Fact]
    public async Task Train_skips_the_bad_record_and_the_sample_the_target_cannot_fit()
    {
        var data = Data();
        File.AppendAllLines(data, ["{\"prompt\": 5}"]);
        var notes = new List<string>();
        var config = new TrainConfig
        {
            Model = Path.Combine(models.Root, "llama-b"),
            Template = new ChatTemplateSpec(ChatTemplateSpec.Llama3),
            MaxLength = 64,
            Truncation = TruncationPolicy.Error,
            TrainData = data,
            SkipBad = true,
            Output = _temp.Sub("run"),
            Training = new TrainingOptions { Objective = PoFT.Shared.Training.ObjectiveKind.Ce, BatchSize = 5, MaxSteps = 1, Seed = 3 },
        };
        var summary = await OnlineTraining.RunAsync(config, resume: null, progress: null, CancellationToken.None, note: notes.Add).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(1, summary.Steps);
        var listed = string.Join("\n", notes);
        Assert.Contains($"skipped 1 bad records:\n  {data}:7:", listed);
        Assert.Contains($"skipped 1 samples no truncation fits:\n  {data}:3: target: sample 's2'", listed);

        var strict = config with { SkipBad = false, Output = _temp.Sub("strict") };
        await Assert.ThrowsAsync<DataFormatException>(() => OnlineTraining.RunAsync(strict, resume: null, progress: null, CancellationToken.None));
    }
}
