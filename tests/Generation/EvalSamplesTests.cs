using System.Text.Json.Nodes;
using PoFT.Shared.Data;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Generation;

/// <summary><c>eval_samples</c>: each evaluation answers the first N held-out prompts into samples.jsonl and hands the
/// answers to the hook; the answerer here is a stand-in that echoes the prompt, so the file's contents are known.</summary>
public class EvalSamplesTests
{
    private sealed class Echo : IPromptAnswerer
    {
        public int Calls { get; private set; }

        public string Answer(IReadOnlyList<ChatMessage> messages)
        {
            Calls++;
            return $"echo {messages[^1].Content}";
        }
    }

    [Fact]
    public async Task Each_evaluation_writes_the_first_N_held_out_answers_and_reports_them()
    {
        using var temp = new TempDirectory();
        var config = RandomCheckpoints.Build();
        using var model = ModelCheckpoint.CreateFresh(config, seed: 5);
        var eval = PatternData.Make(5, seed: 2, "e");
        var options = new TrainingOptions { Objective = ObjectiveKind.Ce, BatchSize = 4, MaxSteps = 4, EvalEvery = 2, EvalOnStart = true, EvalSamples = 3 };
        var echo = new Echo();
        var reported = new List<IReadOnlyList<SampleAnswer>>();
        var trainer = new PoftTrainer(model, Placement.Cpu, options, new TrainingData(PatternData.Make(16, seed: 1, "t"), eval, CharTokenization.For(config.VocabSize)),
            null, null, [], temp.Path, tokenizerDirectory: null) { Answerer = echo, SamplesAnswered = reported.Add };
        await trainer.RunAsync(null, null, CancellationToken.None);

        var lines = File.ReadAllLines(Path.Combine(temp.Path, SamplesLog.FileName)).Select(l => JsonNode.Parse(l)!).ToList();
        // Evaluations at steps 0, 2 and 4, three answers each.
        Assert.Equal([0, 0, 0, 2, 2, 2, 4, 4, 4], lines.Select(l => l["step"]!.GetValue<int>()));
        Assert.Equal(9, echo.Calls);
        for (var i = 0; i < lines.Count; i++)
        {
            var sample = eval[i % 3];
            Assert.Equal(sample.Id, lines[i]["id"]!.GetValue<string>());
            Assert.Equal(sample.Messages[1].Content, lines[i]["reference"]!.GetValue<string>());
            Assert.Equal($"echo {sample.Messages[0].Content}", lines[i]["answer"]!.GetValue<string>());
            Assert.Equal(sample.Messages[0].Content, lines[i]["prompt"]![0]!["content"]!.GetValue<string>());
        }
        Assert.Equal([0, 2, 4], reported.Select(r => r[0].Step));
    }

    [Fact]
    public async Task Zero_eval_samples_answers_nothing()
    {
        using var temp = new TempDirectory();
        var config = RandomCheckpoints.Build();
        using var model = ModelCheckpoint.CreateFresh(config, seed: 5);
        var echo = new Echo();
        var options = new TrainingOptions { Objective = ObjectiveKind.Ce, BatchSize = 4, MaxSteps = 1, EvalSamples = 0 };
        var trainer = new PoftTrainer(model, Placement.Cpu, options, new TrainingData(PatternData.Make(8, seed: 1, "t"), PatternData.Make(2, seed: 2, "e"),
            CharTokenization.For(config.VocabSize)), null, null, [], temp.Path, tokenizerDirectory: null) { Answerer = echo };
        await trainer.RunAsync(null, null, CancellationToken.None);
        Assert.Equal(0, echo.Calls);
        Assert.False(File.Exists(Path.Combine(temp.Path, SamplesLog.FileName)));
    }
}
