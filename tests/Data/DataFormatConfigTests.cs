using PoFT.Hybrid.Config;
using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Data;

/// <summary>The layout and column mapping are one declaration each in the train config (<c>data_format</c>,
/// <c>data_columns</c>), whose flags and the config file go through the same parser as the <c>--data-columns</c>
/// of <c>score</c> and <c>inspect</c> (<see cref="ColumnMapping.Parse(string, string)"/>).</summary>
public class DataFormatConfigTests
{
    private const string Mapping = """{"messages": "dialog", "role": "speaker", "content": "text", "roles": {"agent": "assistant", "customer": "user"}}""";

    private static string Config(TempDirectory temp, string extra)
    {
        var path = temp.File("train.json");
        File.WriteAllText(path, $$"""{"model": "m", "train_data": "d.jsonl"{{extra}}}""");
        return path;
    }

    [Fact]
    public void The_config_reads_the_layout_and_the_mapping_and_flags_replace_them()
    {
        using var temp = new TempDirectory();
        var config = TrainConfig.Load(Config(temp, $$""", "data_format": "sharegpt", "data_columns": {{Mapping}}"""));
        Assert.Equal(new DataFormat("sharegpt", ColumnMapping.Parse(Mapping, "test")), config.DataFormat);
        Assert.Equal("assistant", config.DataColumns!.Roles["agent"]);
        Assert.Equal(DataFormat.Default, TrainConfig.Load(Config(temp, "")).DataFormat);

        var flags = new Dictionary<TrainOption, string>
        {
            [TrainOptions.All.Single(o => o.Flag == "--data-format")] = "dolly",
            [TrainOptions.All.Single(o => o.Flag == "--data-columns")] = """{"id": "uid"}""",
        };
        var overridden = TrainConfig.Load(Config(temp, $$""", "data_columns": {{Mapping}}"""), flags);
        Assert.Equal(new DataFormat("dolly", new ColumnMapping { Id = "uid" }), overridden.DataFormat);
    }

    [Theory]
    [InlineData(""", "data_format": "vicuna" """, "field 'data_format': 'vicuna' is not a layout; expected one of auto, messages, sharegpt")]
    [InlineData(""", "data_columns": {"messagez": "x"} """, "unknown key 'messagez'")]
    [InlineData(""", "data_columns": {"roles": {"bot": "robot"}} """, "roles.bot: expected one of system, user, assistant")]
    public void A_bad_layout_or_mapping_in_the_config_names_the_field(string extra, string expected)
    {
        using var temp = new TempDirectory();
        var path = Config(temp, extra);
        var error = Assert.Throws<FormatException>(() => TrainConfig.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_bad_mapping_flag_names_the_flag_as_score_and_inspect_do()
    {
        var option = TrainOptions.All.Single(o => o.Field == "data_columns");
        var error = Assert.Throws<FormatException>(() => option.ParseFlag("""{"role": 3}"""));
        Assert.Equal("--data-columns: 'role' must be a field name (a non-empty string)", error.Message);
        Assert.Equal("""{"role":"speaker"}""", option.ParseFlag("""{"role": "speaker"}""")!.ToJsonString());
    }

    [Fact]
    public void A_named_layout_of_the_other_kind_is_refused_for_the_train_data_and_detected_for_held_out_files()
    {
        var format = new DataFormat("hh");
        Assert.Equal(DataFormat.Auto, format.ForSft().Layout);
        Assert.Equal("hh", format.ForPreference().Layout);
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(Path.Combine(RepoPaths.Root, "tests", "Data", "Layouts", "dolly.jsonl"), format: format));
        Assert.Contains("data_format 'hh' is a preference layout", error.Reason);
    }
}

/// <summary>A checkpoint written before <c>data_format</c> and <c>data_columns</c> existed records neither: resuming
/// it with their defaults is no change, and with another value is refused naming the field.</summary>
public class DataFormatResumeTests
{
    [Fact]
    public void An_older_checkpoint_without_the_data_options_resumes_with_their_defaults_only()
    {
        using var temp = new TempDirectory();
        var data = temp.File("d.jsonl");
        File.WriteAllText(data, """{"prompt": "q", "response": "r"}""" + "\n");
        var config = new TrainConfig { Model = "m", TrainData = data };
        var recorded = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>(ResumeRules.Inputs(config).Where(kv => kv.Key is not "data_format" and not "data_columns"));
        var state = new PoFT.Trainer.Training.TrainerState(1, 0, 0, 0, 0, config.Training, recorded);
        var notes = new List<string>();
        ResumeRules.Check(config, ResumeRules.Inputs(config), "ckpt", state, new HashSet<TrainOption>(), notes.Add);

        var named = config with { DataLayout = "sharegpt" };
        var error = Assert.Throws<ArgumentException>(() => ResumeRules.Check(named, ResumeRules.Inputs(named), "ckpt", state, new HashSet<TrainOption>(), notes.Add));
        Assert.Contains("config field 'data_format' \"sharegpt\"", error.Message);
        Assert.Empty(notes);
    }
}
