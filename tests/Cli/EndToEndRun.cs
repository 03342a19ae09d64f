using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>A model of one architecture through the commands a user runs: <c>init-model</c> from a config.json,
/// 2 steps of CE and of PoFT, <c>export --verify</c> and <c>score</c> of the trained checkpoint.</summary>
internal sealed class EndToEndRun(AlignedModelsFixture models, TempDirectory temp)
{
    /// <param name="configJson">The config.json text <c>init-model</c> gets.</param>
    /// <param name="family">The chat template family both training and scoring use.</param>
    /// <param name="isExpected">Holds for the config of the initial and of the trained checkpoint.</param>
    public async Task Run(string architecture, string configJson, string tokenizer, string family, Func<ModelConfig, bool> isExpected)
    {
        var config = temp.File("config.json");
        File.WriteAllText(config, configJson);
        var data = temp.File("train.jsonl");
        SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(8, seed: 6));
        var aligned = models.Manifest("e2e-aligned.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3));

        var init = await Poft("init-model", "--config", config, "--tokenizer", RepoPaths.Tokenizer(tokenizer), "--out", temp.File("base"), "--seed", "1");
        Assert.Contains(architecture, init);
        Assert.True(isExpected(ModelConfig.Load(Path.Combine(temp.File("base"), Checkpoint.ConfigFile))));

        var trained = "";
        foreach (var objective in new[] { "ce", "poft" })
        {
            var output = await Poft("train", "--config", TrainConfig(objective, data, aligned, family));
            Assert.Contains("steps=2", output);
            trained = output.Split('\n').Single(l => l.StartsWith("checkpoint: ", StringComparison.Ordinal))["checkpoint: ".Length..].Trim();
        }
        Assert.True(isExpected(ModelConfig.Load(Path.Combine(trained, Checkpoint.ConfigFile))));

        var onnx = temp.File("onnx");
        Assert.Contains("max_rel_diff=", await Poft("export", "--checkpoint", trained, "--out", onnx, "--verify"));

        var manifest = temp.File("scored.json");
        File.WriteAllText(manifest, new JsonObject
        {
            ["models"] = new JsonArray(new JsonObject
            {
                ["name"] = "trained",
                ["onnx"] = Path.Combine(onnx, ScoringGraph.ModelFile),
                ["tokenizer"] = new JsonObject { ["kind"] = "hf", ["path"] = Path.Combine(onnx, "tokenizer.json") },
                ["template"] = new JsonObject { ["family"] = family },
                ["max_length"] = 256,
            }),
        }.ToJsonString());
        var scores = temp.File("scores.jsonl");
        await Poft("score", "--manifest", manifest, "--data", data, "--out", scores, "--threads", "1");
        var records = ScoreFile.Read(scores);
        Assert.Equal(8, records.Count);
        Assert.All(records, r => Assert.True(r.Models.Single().Count > 0 && double.IsFinite(r.Reference) && r.Reference < 0));
    }

    private string TrainConfig(string objective, string data, string manifest, string family)
    {
        var path = temp.File($"train-{objective}.json");
        File.WriteAllText(path, new JsonObject
        {
            ["model"] = temp.File("base"),
            ["template"] = new JsonObject { ["family"] = family },
            ["max_length"] = 256,
            ["train_data"] = data,
            ["manifest"] = manifest,
            ["output"] = temp.File($"run-{objective}"),
            ["training"] = new JsonObject { ["objective"] = objective, ["batch_size"] = 2, ["max_steps"] = 2, ["seed"] = 1, ["eval_every"] = 0 },
        }.ToJsonString());
        return path;
    }

    private static async Task<string> Poft(params string[] arguments)
    {
        var result = await PoftProcess.Run(arguments);
        Assert.True(result.ExitCode == 0, $"poft {arguments[0]}: {result.Error}");
        return result.Output;
    }
}
