using PoFT.Cli.Training;
using PoFT.Shared.Chat;
using PoFT.Tests.Support;
using PoFT.Trainer.Objectives;

namespace PoFT.Tests.Cli;

public class TrainConfigTests
{
    [Fact]
    public void The_example_config_loads_with_paths_resolved_against_its_folder()
    {
        var path = Path.Combine(RepoPaths.Root, "configs", "train.example.json");
        var config = TrainConfig.Load(path);
        Assert.Equal(Path.Combine(RepoPaths.Root, "runs", "demo", "data", "train.jsonl"), config.TrainData);
        Assert.Equal(Path.Combine(RepoPaths.Root, "models-manifest.json"), config.Manifest);
        Assert.Equal(ChatTemplateSpec.Llama3, config.Template.Family);
        Assert.Equal(TruncationPolicy.TruncatePrompt, config.Truncation);
        Assert.Equal(ObjectiveKind.Poft, config.Training.Objective);
        Assert.Equal(0.003, config.Training.LearningRate);
        Assert.Equal(20, config.Training.CheckpointEvery);
    }

    [Theory]
    [InlineData("""{"model": "m", "train_data": "d", "training": {"objective": "dpo"}}""", "training.objective")]
    [InlineData("""{"model": "m", "train_data": "d", "learning_rate": 1}""", "learning_rate")]
    [InlineData("""{"train_data": "d"}""", "field 'model' is required")]
    public void Bad_configs_are_errors_naming_the_field(string json, string expected)
    {
        using var temp = new TempDirectory();
        var path = temp.File("train.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<FormatException>(() => TrainConfig.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Bi_poft_is_spelled_as_in_the_cli()
    {
        using var temp = new TempDirectory();
        var path = temp.File("train.json");
        File.WriteAllText(path, """{"model": "m", "train_data": "d", "training": {"objective": "bi-poft", "beta": 2}}""");
        var config = TrainConfig.Load(path);
        Assert.Equal(ObjectiveKind.BiPoft, config.Training.Objective);
        Assert.Equal(2, config.Training.Beta);
    }
}
