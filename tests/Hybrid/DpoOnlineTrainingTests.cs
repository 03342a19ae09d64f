using System.Text.Json.Nodes;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Scorer;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Manifest;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Hybrid;

/// <summary>
/// <c>train --objective dpo</c> through the config, with a real tokenizer and chat template: the reference
/// exported from the starting checkpoint and scored online by ONNX Runtime, its log-probs those TorchSharp
/// computes; the export reused on resume; the options of the other kind of scoring refused.
/// </summary>
[Trait(TestTier.Category, TestTier.Slow)]
[Collection(SerialCollection.Name)]
public sealed class DpoOnlineTrainingTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Start => Path.Combine(models.Root, "llama-b");

    /// <summary>Multi-turn prompts (earlier assistant turns are context), the last turn chosen and its words
    /// reversed rejected, in TRL's conversational layout.</summary>
    private string WritePreferences(string name, int count, int seed)
    {
        var path = _temp.File(name);
        static JsonArray Turns(IEnumerable<ChatMessage> messages) =>
            [.. messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })];
        File.WriteAllLines(path, AlignedModelsFixture.MultiTurn(count, seed).Select(s => new JsonObject
        {
            ["id"] = s.Id,
            ["prompt"] = Turns(s.Messages.SkipLast(1)),
            ["chosen"] = Turns([s.Messages[^1]]),
            ["rejected"] = Turns([new ChatMessage(ChatMessage.Assistant, string.Join(' ', s.Messages[^1].Content.Split(' ').Reverse()) + " no")]),
        }.ToJsonString()));
        return path;
    }

    private string Config(string output, Action<JsonObject>? edit = null)
    {
        var sft = _temp.File("eval-sft.jsonl");
        if (!File.Exists(sft))
            SftDataWriter.WriteJsonLines(sft, AlignedModelsFixture.MultiTurn(4, seed: 9));
        var config = new JsonObject
        {
            ["model"] = Start,
            ["template"] = new JsonObject { ["family"] = ChatTemplateSpec.Llama3 },
            ["max_length"] = 256,
            ["train_data"] = File.Exists(_temp.File("train.jsonl")) ? _temp.File("train.jsonl") : WritePreferences("train.jsonl", 12, seed: 4),
            ["eval_preference_data"] = File.Exists(_temp.File("eval.jsonl")) ? _temp.File("eval.jsonl") : WritePreferences("eval.jsonl", 4, seed: 5),
            ["eval_data"] = sft,
            ["output"] = output,
            ["training"] = new JsonObject { ["objective"] = "dpo", ["batch_size"] = 2, ["max_steps"] = 3, ["seed"] = 3, ["eval_on_start"] = true, ["learning_rate"] = 1e-3 },
        };
        edit?.Invoke(config);
        var path = _temp.File($"train-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static Task<TrainingSummary> Run(string config, string? resume = null, List<string>? notes = null) =>
        OnlineTraining.RunAsync(TrainConfig.Load(config), resume, progress: null, CancellationToken.None, note: n => notes?.Add(n));

    private static List<JsonNode> Metrics(string output, string kind) =>
        [.. File.ReadAllLines(Path.Combine(output, MetricsLog.FileName)).Select(l => JsonNode.Parse(l)!).Where(n => n["kind"]!.GetValue<string>() == kind)];

    [Fact]
    public async Task The_ONNX_reference_scores_each_completion_as_TorchSharp_does_and_step_0_is_log_2()
    {
        var output = _temp.Sub("run");
        var summary = await Run(Config(output));
        Assert.Equal(3, summary.Steps);
        Assert.True(File.Exists(Path.Combine(output, ReferenceModel.Folder, ReferenceModel.SourceFile)));

        // Every completion the reference scored, against the starting checkpoint in TorchSharp on the same tokens.
        // The training pairs' (the held-out file reuses their ids for other pairs, which the trainer keeps apart).
        var pairs = PreferenceDataSet.Read(_temp.File("train.jsonl")).Pairs;
        var chat = new ChatTokenizer(TokenizerLoader.LoadFromModelDirectory(Start), new ChatTemplateSpec(ChatTemplateSpec.Llama3), 256, TruncationPolicy.TruncatePrompt);
        var scored = ScoreFile.Read(Path.Combine(summary.CheckpointDirectory, TrainerState.ScoresFile)).ToDictionary(r => r.Id);
        using var torch = TorchTokenLogProbModel.Load(Start, Placement.Cpu);
        var (checkedSamples, multiTurn) = (0, 0);
        foreach (var sample in pairs.Where(p => scored.ContainsKey(p.Chosen.Id)).SelectMany(p => p.Samples))
        {
            var tokens = chat.Tokenize(sample);
            var mask = new long[tokens.TokenIds.Length];
            Array.Fill(mask, 1);
            var logProbs = new float[tokens.TokenIds.Length - 1];
            torch.TokenLogProbs(tokens.TokenIds.Select(t => (long)t).ToArray(), mask, 1, tokens.TokenIds.Length, logProbs);
            var expected = Enumerable.Range(1, tokens.TokenIds.Length - 1).Where(t => tokens.ResponseMask[t]).Sum(t => (double)logProbs[t - 1]);
            var reference = scored[sample.Id].Models.Single();
            Assert.Equal(tokens.ResponseTokenCount, reference.Count);
            Assert.Equal(expected, reference.Sum, Math.Abs(expected) * 1e-5);
            // Only the completion: the prompt's earlier assistant turns are not scored.
            if (sample.Messages.Count(m => m.Role == ChatMessage.Assistant) > 1)
            {
                Assert.True(reference.Count < chat.Tokenize(sample with { ScoredFrom = 0 }).ResponseTokenCount);
                multiTurn++;
            }
            checkedSamples++;
        }
        Assert.True(checkedSamples >= 2 * 6 && multiTurn > 0, $"{checkedSamples} completions checked, {multiTurn} with multi-turn prompts");

        var start = Metrics(output, "eval")[0];
        Assert.Equal(Math.Log(2), start["preference_loss"]!.GetValue<double>(), 1e-4);
        Assert.Equal(0, start["rewards/margins"]!.GetValue<double>(), 1e-4);
        Assert.True(start["held_out_ce"]!.GetValue<double>() > 0);
        Assert.Equal(Math.Log(2), Metrics(output, "step")[0]["loss"]!.GetValue<double>(), 1e-4);
    }

    [Fact]
    public async Task A_resumed_run_reuses_its_reference_and_one_against_another_start_is_refused()
    {
        var output = _temp.Sub("run");
        var config = Config(output, c => c["training"]!["checkpoint_every"] = 1);
        await Run(config);
        var checkpoint = Path.Combine(output, PoftTrainer.CheckpointsFolder, "step-000002");
        var notes = new List<string>();
        var resumed = await Run(config, resume: checkpoint, notes: notes);
        Assert.Equal(3, resumed.Steps);
        Assert.DoesNotContain(notes, n => n.Contains("exporting", StringComparison.Ordinal));

        var source = Path.Combine(output, ReferenceModel.Folder, ReferenceModel.SourceFile);
        File.WriteAllText(source, new JsonObject { ["checkpoint_sha256"] = "0123" }.ToJsonString());
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Run(config, resume: checkpoint));
        Assert.Contains("starting point", error.Message);
    }

    [Fact]
    public async Task The_reference_read_from_a_score_file_trains_as_the_online_reference_does()
    {
        var online = _temp.Sub("online");
        await Run(Config(online));
        // As a user would: `score` over the preference files with a manifest of the reference's export alone.
        var manifest = _temp.File("reference-manifest.json");
        File.WriteAllText(manifest, new JsonObject
        {
            ["models"] = new JsonArray(new JsonObject
            {
                ["name"] = "reference",
                ["onnx"] = Path.Combine(online, ReferenceModel.Folder, "model.onnx"),
                ["tokenizer"] = new JsonObject { ["kind"] = "hf", ["path"] = Path.Combine(online, ReferenceModel.Folder, "tokenizer.json") },
                ["template"] = new JsonObject { ["family"] = ChatTemplateSpec.Llama3 },
                ["max_length"] = 256,
                ["truncation"] = "truncate-prompt",
            }),
        }.ToJsonString());
        var (scores, evalScores) = (_temp.File("ref.msgpack"), _temp.File("eval-ref.msgpack"));
        foreach (var (data, output) in new[] { (_temp.File("train.jsonl"), scores), (_temp.File("eval.jsonl"), evalScores) })
        {
            using var run = ScoringOnlyRun.Open(ModelsManifest.Load(manifest), data, output, resume: false, SampleShard.All, skipBad: false,
                new OrtScoringBackend(new OrtScoringOptions()), tokenBudget: 0, new ScoringPipelineOptions(), _ => { });
            await run.RunAsync(null, CancellationToken.None);
        }
        Assert.Equal(2 * PreferenceDataSet.Read(_temp.File("train.jsonl")).Pairs.Count, ScoreFile.Read(scores).Count());
        var fromFile = _temp.Sub("from-file");
        await Run(Config(fromFile, c => { c["ref_scores"] = scores; c["eval_ref_scores"] = evalScores; }));
        Assert.False(Directory.Exists(Path.Combine(fromFile, ReferenceModel.Folder)));
        var (expected, actual) = (Metrics(online, "step"), Metrics(fromFile, "step"));
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i]["loss"]!.GetValue<double>(), actual[i]["loss"]!.GetValue<double>(), 1e-6);

        // Scores of the other file, each way round: refused before any step, naming the field and both files.
        foreach (var (field, wrong, dataField, data) in new[] { ("ref_scores", evalScores, "train_data", "train.jsonl"), ("eval_ref_scores", scores, "eval_preference_data", "eval.jsonl") })
        {
            var mixed = _temp.Sub($"mixed-{field}");
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => Run(Config(mixed, c =>
            {
                (c["ref_scores"], c["eval_ref_scores"]) = (scores, evalScores);
                c[field] = wrong;
            })));
            Assert.Contains($"'{field}'", error.Message);
            Assert.Contains($"not {dataField} ", error.Message);
            Assert.Contains(data, error.Message);
            Assert.Contains(Path.GetFileName(wrong) + " scored", error.Message);
            Assert.False(File.Exists(Path.Combine(mixed, MetricsLog.FileName)), "refused before any step");
        }
    }

    [Theory]
    [InlineData("manifest", "objective 'dpo' scores with its reference model")]
    [InlineData("ref_model", "differs from")]
    public async Task Scoring_that_does_not_fit_DPO_is_refused_naming_the_field(string field, string expected)
    {
        var value = field == "manifest"
            ? models.Manifest("m.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3))
            : Path.Combine(models.Root, "qwen-onnx");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Run(Config(_temp.Sub("run"), c => c[field] = value)));
        Assert.Contains($"'{field}'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task SFT_data_as_DPO_training_data_is_refused_naming_the_file_and_line()
    {
        var sft = _temp.File("sft.jsonl");
        SftDataWriter.WriteJsonLines(sft, AlignedModelsFixture.MultiTurn(3, seed: 1));
        var error = await Assert.ThrowsAsync<DataFormatException>(() => Run(Config(_temp.Sub("run"), c => c["train_data"] = sft)));
        Assert.Contains($"{sft}:1", error.Message);
    }
}
