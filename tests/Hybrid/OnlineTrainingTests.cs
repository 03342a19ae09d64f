using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Shared.Data;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Hybrid;

/// <summary>The <c>train</c> verb's wiring: a target checkpoint with a real tokenizer, ONNX aligned models
/// from a manifest scoring online, and a run that ends while the scorer still has samples queued.</summary>
public sealed class OnlineTrainingTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Training_that_stops_before_the_scorer_finishes_returns_and_saves_a_checkpoint()
    {
        var data = _temp.File("train.jsonl");
        SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(60, seed: 9));
        var manifest = models.Manifest("train-manifest.json",
            AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3),
            AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl));
        var config = new TrainConfig
        {
            Model = Path.Combine(models.Root, "llama-b"),
            Template = new ChatTemplateSpec(ChatTemplateSpec.Llama3),
            MaxLength = 256,
            TrainData = data,
            Manifest = manifest,
            Output = _temp.Sub("run"),
            Training = new TrainingOptions { BatchSize = 2, MaxSteps = 2, Seed = 3 },
        };

        var summary = await OnlineTraining.RunAsync(config, resume: null, progress: null, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(2, summary.Steps);
        Assert.True(File.Exists(Path.Combine(summary.CheckpointDirectory, TrainerState.ScoresFile)));
        var steps = File.ReadAllLines(Path.Combine(config.Output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.All(steps, s => Assert.InRange(s["tau_mean"]!.GetValue<double>(), 0, 1));
    }
}
