using PoFT.Shared.Manifest;
using PoFT.Hybrid.Config;
using PoFT.Tests.Support;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Hybrid;

public class TrainConfigTests
{
    [Fact]
    public void The_example_config_loads_with_paths_resolved_against_its_folder()
    {
        var path = Path.Combine(RepoPaths.Root, "configs", "train.example.json");
        var config = TrainConfig.Load(path);
        Assert.Equal(Path.Combine(RepoPaths.Root, "runs", "demo", "base"), config.Model);
        Assert.Equal(Path.Combine(RepoPaths.Root, "runs", "demo", "runs", "noise-0.4", "seed-1", "train.jsonl"), config.TrainData);
        Assert.Equal(Path.Combine(RepoPaths.Root, "models-manifest.json"), config.Manifest);
        Assert.Equal(Path.Combine(RepoPaths.Root, "runs", "train-example"), config.Output);
        Assert.Equal(ChatTemplateSpec.Plain, config.Template.Family);
        Assert.Equal(TruncationPolicy.TruncatePrompt, config.Truncation);
        Assert.Equal(ObjectiveKind.Poft, config.Training.Objective);
        Assert.Equal(0.001, config.Training.LearningRate);
        Assert.Equal(50, config.Training.CheckpointEvery);
    }

    [Fact]
    public void Flags_replace_the_files_values_and_their_paths_resolve_against_the_working_directory()
    {
        using var temp = new TempDirectory();
        var path = temp.File("train.json");
        File.WriteAllText(path, """{"model": "m", "train_data": "d", "output": "out", "training": {"objective": "ce", "learning_rate": 0.5}}""");
        var config = TrainConfig.Load(path, new Dictionary<TrainOption, string>
        {
            [Flag("--lr")] = "0.002",
            [Flag("--objective")] = "bi-poft",
            [Flag("--train-data")] = "other.jsonl",
            [Flag("--max-steps")] = "7",
        });
        Assert.Equal(0.002, config.Training.LearningRate);
        Assert.Equal(ObjectiveKind.BiPoft, config.Training.Objective);
        Assert.Equal(7, config.Training.MaxSteps);
        Assert.Equal(Path.GetFullPath("other.jsonl"), config.TrainData);
        Assert.Equal(temp.File("m"), config.Model);
        Assert.Equal(temp.File("out"), config.Output);
        // Unset fields keep their declared defaults.
        Assert.Equal(new TrainingOptions().BatchSize, config.Training.BatchSize);
    }

    [Fact]
    public void Keep_top_by_ifd_reads_from_the_file_and_the_flag()
    {
        using var temp = new TempDirectory();
        var path = temp.File("train.json");
        File.WriteAllText(path, """{"model": "m", "train_data": "d", "training": {"keep_top_percent": 70, "keep_top_by": "ifd"}}""");
        Assert.Equal(KeepTopBy.Ifd, TrainConfig.Load(path, new Dictionary<TrainOption, string>()).Training.KeepTopBy);
        Assert.Equal(KeepTopBy.Rbar, TrainConfig.Load(path, new Dictionary<TrainOption, string> { [Flag("--keep-top-by")] = "rbar" }).Training.KeepTopBy);
    }

    [Theory]
    [InlineData("--lr", "abc", "a finite number")]
    [InlineData("--lr", "NaN", "a finite number")]
    [InlineData("--max-steps", "1.5", "an integer")]
    [InlineData("--objective", "sft", "one of ce, poft, bi-poft, dpo, dft")]
    [InlineData("--truncation", "cut", "one of error, truncate-prompt, truncate-response")]
    [InlineData("--keep-top-by", "ppl", "one of rbar, ifd")]
    public void A_bad_flag_value_is_an_error_naming_the_flag_and_what_it_expects(string flag, string value, string expected)
    {
        using var temp = new TempDirectory();
        var path = temp.File("train.json");
        File.WriteAllText(path, """{"model": "m", "train_data": "d"}""");
        var error = Assert.Throws<ArgumentException>(() => TrainConfig.Load(path, new Dictionary<TrainOption, string> { [Flag(flag)] = value }));
        Assert.Equal($"{flag} '{value}': expected {expected}", error.Message);
    }

    [Fact]
    public void Every_option_has_one_declaration_with_a_field_a_default_and_help_and_flags_are_unique()
    {
        Assert.Equal(TrainOptions.All.Count, TrainOptions.All.Select(o => o.Field).Distinct().Count());
        var flags = TrainOptions.All.Where(o => o.Flag is not null).Select(o => o.Flag).ToList();
        Assert.Equal(flags.Count, flags.Distinct().Count());
        Assert.All(TrainOptions.All, o => Assert.False(string.IsNullOrWhiteSpace(o.Help), o.Field));
        // Every property of the config's training object is an option: none is parsed without a declaration.
        Assert.Equal(typeof(TrainingOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Count(), TrainOptions.All.Count(o => o.InTraining));
        Assert.Equal("0.0001", TrainOptions.All.Single(o => o.Field == "training.learning_rate").Default!.ToJsonString());
    }

    [Fact]
    public void The_training_docs_list_every_option_as_declared()
    {
        var docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "training.md"));
        var table = TrainOptions.MarkdownTable();
        Assert.True(docs.Contains(table, StringComparison.Ordinal), $"docs/training.md's table of options differs from the declarations; expected:\n{table}");
    }

    private static TrainOption Flag(string flag) => TrainOptions.All.Single(o => o.Flag == flag);

    // A field given twice — in the file, or in a JSON flag value — was an ArgumentException stack trace (exit 134)
    // from System.Text.Json at the first lookup (found by hand while writing DoubleSignalTests).
    [Fact]
    public void A_field_given_twice_is_refused_naming_the_file_or_the_flag()
    {
        using var temp = new TempDirectory();
        var path = temp.File("train.json");
        File.WriteAllText(path, """{"model": "m", "train_data": "d", "training": {"epochs": 2, "epochs": 50}}""");
        var error = Assert.Throws<FormatException>(() => TrainConfig.Load(path, new Dictionary<TrainOption, string>()));
        Assert.StartsWith($"{path}: not valid JSON: Duplicate property 'epochs'", error.Message);

        File.WriteAllText(path, """{"model": "m", "train_data": "d"}""");
        var flag = Assert.Throws<ArgumentException>(() => TrainConfig.Load(path, new Dictionary<TrainOption, string> { [Flag("--lora")] = """{"r": 2, "r": 4}""" }));
        Assert.StartsWith("--lora '{\"r\": 2, \"r\": 4}': expected", flag.Message);
    }

    [Theory]
    [InlineData("""{"model": "m", "train_data": "d", "training": {"objective": "sft"}}""", "training.objective")]
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
