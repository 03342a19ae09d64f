using System.Text.Json.Nodes;
using PoFT.Cli.Commands;
using PoFT.Cli.Terminal;
using PoFT.Hybrid.Config;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>One grammar on every verb (issue 29 item 5): boolean flags bare or with a value, a command line that does not
/// parse reported in one line with a pointer to <c>--help</c>, config errors in the config's own spelling.</summary>
public sealed class CliGrammarTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Config(JsonObject training, string? extra = null)
    {
        var root = new JsonObject { ["model"] = "base", ["train_data"] = "train.jsonl", ["output"] = "run", ["training"] = training };
        if (extra is not null)
            root[extra] = 1;
        var path = _temp.File($"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    [Fact]
    public void Train_takes_its_boolean_flags_bare_or_with_a_value()
    {
        var config = Config(new JsonObject { ["padding_free"] = true });
        var parse = TrainCommand.Create().Parse(["--config", config, "--gradient-checkpointing", "--padding-free", "false", "--eval-on-start", "--overwrite"]);

        Assert.Empty(parse.Errors);
        var loaded = TrainConfig.Load(config, TrainCommand.Overrides(parse));
        Assert.True(loaded.Training.GradientCheckpointing);
        Assert.False(loaded.Training.PaddingFree);
        Assert.True(loaded.Training.EvalOnStart);
    }

    [Fact]
    public void A_value_flag_still_needs_its_value()
    {
        var parse = TrainCommand.Create().Parse(["--config", "c.json", "--learning-rate"]);
        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public void A_command_line_that_does_not_parse_is_one_line_and_a_pointer_to_help()
    {
        var parse = PlanCommand.Create().Parse(["--model", "m", "--batch", "x", "--frob"]);
        var error = new StringWriter();

        Assert.Equal(1, ParseErrors.Report(parse, error));
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("System.", lines[0]);
        Assert.Equal("see 'poft plan --help'", lines[1]);
    }

    [Fact]
    public async Task Poft_prints_no_help_after_a_parse_error()
    {
        var result = await PoftProcess.Run(["train", "--config", "c.json", "--bogus"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["error: Unrecognized command or argument '--bogus'.", "see 'poft train --help'"], result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Usage", result.Output + result.Error);
    }

    [Theory]
    [InlineData("learning_rat", "'training.learning_rat' is not a field of 'training'; did you mean 'learning_rate'?")]
    [InlineData("objectve", "did you mean 'objective'?")]
    public void A_misspelt_training_field_is_named_with_the_nearest_field(string field, string expected)
    {
        var error = Assert.Throws<FormatException>(() => TrainConfig.Load(Config(new JsonObject { [field] = 1 })));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain(".NET", error.Message);
        Assert.DoesNotContain("TrainingOptions", error.Message);
    }

    [Fact]
    public void An_unknown_top_level_field_far_from_any_is_named_with_the_valid_fields()
    {
        var error = Assert.Throws<FormatException>(() => TrainConfig.Load(Config([], extra: "zzzzzzzz")));
        Assert.Contains("field 'zzzzzzzz' is not a field of the config; expected one of ", error.Message);
        Assert.Contains("train_data", error.Message);
    }

    [Fact]
    public void A_misspelt_nested_field_names_its_path()
    {
        var error = Assert.Throws<FormatException>(() => TrainConfig.Load(Config(new JsonObject { ["lora"] = new JsonObject { ["rr"] = 4 } })));
        Assert.Contains("field 'training.lora.rr' is not a field of 'training.lora'; did you mean 'r'?", error.Message);
    }

    [Fact]
    public void A_value_outside_an_enumeration_lists_the_valid_values_as_the_config_writes_them()
    {
        var error = Assert.Throws<FormatException>(() => TrainConfig.Load(Config(new JsonObject { ["objective"] = "frob" })));
        Assert.Contains("field 'training.objective': \"frob\" is not valid; expected one of ce, poft, bi-poft, dpo", error.Message);
        Assert.DoesNotContain("ObjectiveKind", error.Message);
    }

    [Fact]
    public void A_value_of_the_wrong_type_in_a_nested_field_names_no_dotnet_type()
    {
        var error = Assert.Throws<FormatException>(() => TrainConfig.Load(Config(new JsonObject { ["lora"] = new JsonObject { ["r"] = "x" } })));
        Assert.Contains("field 'training.lora.r'", error.Message);
        Assert.DoesNotContain("System.", error.Message);
        Assert.DoesNotContain("PoFT.", error.Message);
    }

    [Fact]
    public void Train_help_names_every_objective() =>
        Assert.All(["CE", "PoFT", "bi-PoFT", "DPO"], name => Assert.Contains(name, TrainCommand.Create().Description));

    [Fact]
    public void Edit_distance_counts_insertions_deletions_and_substitutions()
    {
        Assert.Equal(1, ConfigFields.EditDistance("learning_rat", "learning_rate"));
        Assert.Equal(2, ConfigFields.EditDistance("modle", "model"));
        Assert.Equal(3, ConfigFields.EditDistance("kitten", "sitting"));
        Assert.Equal(0, ConfigFields.EditDistance("", ""));
    }
}
