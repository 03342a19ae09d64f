using System.CommandLine;
using PoFT.Cli.Commands;
using PoFT.Cli.Terminal;
using PoFT.Shared;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>What <c>plan</c> and <c>export</c> would silently get wrong is refused (issue 29 item 4): each a user error
/// (<see cref="UserError"/>: one line, no stack trace) naming the flag, with nothing written.</summary>
public sealed class VerbRefusalTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string ModelConfig(string name) => Path.Combine(RepoPaths.Root, "configs", "models", name);

    private static Exception Refusal(Command verb, params string[] arguments)
    {
        var error = Record.Exception(() => verb.Parse(arguments).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
        Assert.NotNull(error);
        Assert.True(UserError.Is(error), error.ToString());
        return error;
    }

    [Theory]
    [InlineData("--batch", "-1", "--batch -1: expected at least 1")]
    [InlineData("--batch", "0", "--batch 0: expected at least 1")]
    [InlineData("--max-length", "0", "--max-length 0: expected at least 1")]
    [InlineData("--lora", "-1", "--lora -1: expected 0 (full fine-tuning) or a rank of at least 1")]
    [InlineData("--logits-chunk", "-5", "--logits-chunk -5: expected 0 (unchunked) or more")]
    public void Plan_refuses_sizes_it_cannot_plan_for(string flag, string value, string expected) =>
        Assert.Equal(expected, Refusal(PlanCommand.Create(), "--model", ModelConfig("tinyllama-1.1b.json"), flag, value).Message);

    [Fact]
    public void Plan_refuses_zero_gpus_naming_the_flag() =>
        Assert.Equal("--gpus 0: expected at least 1", Refusal(PlanCommand.Create(), "--model", ModelConfig("tinyllama-1.1b.json"), "--device", "cuda", "--gpus", "0").Message);

    [Theory]
    [InlineData("100000000")]
    [InlineData("257")]
    public void Plan_refuses_a_LoRA_rank_above_the_smallest_targeted_projection(string rank)
    {
        // TinyLlama: k_proj and v_proj are 2048×256 (4 KV heads of 64).
        var error = Refusal(PlanCommand.Create(), "--model", ModelConfig("tinyllama-1.1b.json"), "--lora", rank);
        Assert.Equal($"--lora {rank}: r {rank} is above the rank of k_proj (2048×256): expected at most 256 for the projections targeted", error.Message);
    }

    [Fact]
    public void Plan_takes_the_rank_of_a_projection_as_it_is()
    {
        var verb = PlanCommand.Create();
        Assert.Equal(0, verb.Parse(["--model", ModelConfig("tinyllama-1.1b.json"), "--lora", "256", "--memory", "1000GB"]).Invoke());
    }

    private string Checkpoint(bool tokenizer) => RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 3,
        tokenizerDirectory: tokenizer ? RandomCheckpoints.StandInTokenizerDirectory(_temp.Sub("tokenizer")) : null);

    [Fact]
    public void Export_refuses_a_checkpoint_without_tokenizer_files_and_writes_nothing()
    {
        var output = Path.Combine(_temp.Path, "onnx");
        var error = Refusal(ExportCommand.Create(), "--checkpoint", Checkpoint(tokenizer: false), "--out", output);
        Assert.Contains("no tokenizer", error.Message);
        Assert.StartsWith("--checkpoint ", error.Message);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Export_refuses_a_non_empty_out_and_leaves_it_as_it_was()
    {
        var output = _temp.Sub("onnx");
        File.WriteAllText(Path.Combine(output, ScoringGraph.ModelFile), "another model");
        var error = Refusal(ExportCommand.Create(), "--checkpoint", Checkpoint(tokenizer: true), "--out", output);
        Assert.Contains("already exists and is not empty", error.Message);
        Assert.Contains("--overwrite", error.Message);
        Assert.Equal("another model", File.ReadAllText(Path.Combine(output, ScoringGraph.ModelFile)));
    }

    [Fact]
    public void Export_with_overwrite_replaces_what_out_held()
    {
        var output = _temp.Sub("onnx");
        File.WriteAllText(Path.Combine(output, "notes.txt"), "left by an earlier export");
        Assert.Equal(0, ExportCommand.Create().Parse(["--checkpoint", Checkpoint(tokenizer: true), "--out", output, "--overwrite"]).Invoke());
        Assert.True(File.Exists(Path.Combine(output, ScoringGraph.ModelFile)));
        Assert.True(File.Exists(Path.Combine(output, "tokenizer.json")));
        Assert.False(File.Exists(Path.Combine(output, "notes.txt")));
    }

    [Fact]
    public void Export_with_overwrite_refuses_an_out_that_holds_the_checkpoint()
    {
        var checkpoint = Checkpoint(tokenizer: true);
        var error = Refusal(ExportCommand.Create(), "--checkpoint", checkpoint, "--out", _temp.Path, "--overwrite");
        Assert.Contains("holds the --checkpoint itself", error.Message);
        Assert.True(File.Exists(Path.Combine(checkpoint, PoFT.Checkpoints.Checkpoint.ConfigFile)));
    }
}
