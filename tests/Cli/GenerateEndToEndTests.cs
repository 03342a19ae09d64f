using System.Text.Json.Nodes;
using PoFT.Shared.Data;
using PoFT.Tests.Support;
using PoFT.Text.Tokenizers;

namespace PoFT.Tests.Cli;

/// <summary><c>generate</c> and <c>chat</c> as a user runs them on a run's checkpoint: a tiny model trained two CE steps
/// with the llama3 preset, whose final checkpoint records that template.</summary>
[Trait(TestTier.Category, TestTier.Slow)]
public class GenerateEndToEndTests
{
    [Fact]
    public async Task A_runs_checkpoint_generates_and_chats_with_the_template_it_trained_with()
    {
        using var temp = new TempDirectory();
        var data = temp.File("train.jsonl");
        SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(6, seed: 3));
        await Poft("init-model", "--config", "tiny", "--tokenizer", RepoPaths.Tokenizer("llama3"), "--out", temp.File("base"), "--seed", "1");
        var config = temp.File("train.json");
        File.WriteAllText(config, new JsonObject
        {
            ["model"] = temp.File("base"),
            ["template"] = new JsonObject { ["family"] = "llama3" },
            ["max_length"] = 128,
            ["train_data"] = data,
            ["eval_data"] = data,
            ["output"] = temp.File("run"),
            ["training"] = new JsonObject { ["objective"] = "ce", ["batch_size"] = 2, ["max_steps"] = 2, ["eval_every"] = 0, ["checkpoint_every"] = 5 },
        }.ToJsonString());
        var trained = await Poft("train", "--config", config);
        var final = Path.Combine(temp.File("run"), "final");
        // final/ is the model alone; the step checkpoint written at the last step keeps the optimizer's state, and the summary names it.
        Assert.False(File.Exists(Path.Combine(final, PoFT.Trainer.Training.TrainerState.OptimizerFile)));
        Assert.Contains($"resume from: {PoFT.Trainer.Training.PoftTrainer.StepCheckpoint(temp.File("run"), 2)}\n", trained);

        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(final, TokenizerConfigFile.FileName)))![TokenizerConfigFile.RunTemplateField]!;
        Assert.Equal("llama3", recorded["family"]!.GetValue<string>());

        // The run's evaluation answered the first eval_samples (4) held-out prompts with the trained model.
        var samples = File.ReadAllLines(Path.Combine(temp.File("run"), "samples.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, samples.Count);
        Assert.All(samples, l => Assert.Equal(2, l["step"]!.GetValue<int>()));

        var one = await Poft("generate", "--checkpoint", final, "--prompt", "What is a cat?", "--max-new-tokens", "6");
        var answers = temp.File("answers.jsonl");
        await Poft("generate", "--checkpoint", final, "--data", data, "--max-new-tokens", "4", "--out", answers);
        var lines = File.ReadAllLines(answers).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(6, lines.Count);
        Assert.All(lines, l => Assert.True(l["tokens"]!.GetValue<int>() <= 4 && l["answer"] is not null && l["reference"] is not null));

        // The chat's first answer is generate's answer to the same message (greedy, same template); a second line continues it.
        var chat = await PoftProcess.Run(["chat", "--checkpoint", final, "--max-new-tokens", "6"], input: "What is a cat?\nAnd a dog?\n");
        Assert.True(chat.ExitCode == 0, chat.Error);
        Assert.StartsWith(one, chat.Output);
        Assert.True(chat.Output.Length > one.Length);

        var refused = await PoftProcess.Run(["generate", "--checkpoint", final]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("exactly one of --prompt TEXT and --data FILE", refused.Error);
    }

    private static async Task<string> Poft(params string[] arguments)
    {
        var result = await PoftProcess.Run(arguments);
        Assert.True(result.ExitCode == 0, $"poft {arguments[0]}: {result.Error}");
        return result.Output;
    }
}
