using System.Text.Json.Nodes;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Trainer;

/// <summary>trainer_state.json as a file: written as plain JSON (state_version 2); a version-1 file, whose inputs were
/// strings of JSON text, read as the values they spell; anything else refused naming the file and the field.</summary>
public sealed class TrainerStateFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(JsonObject state)
    {
        var directory = _temp.Sub(Guid.NewGuid().ToString("N"));
        File.WriteAllText(Path.Combine(directory, TrainerState.FileName), state.ToJsonString());
        return directory;
    }

    /// <param name="version">Null: no state_version, as version 1 wrote it.</param>
    private static JsonObject State(JsonObject inputs, int? version)
    {
        var state = new JsonObject
        {
            ["step"] = 3, ["epoch"] = 0, ["micro_batch"] = 6, ["tokens"] = 100, ["elapsed_seconds"] = 1.5,
            ["options"] = new JsonObject { ["batch_size"] = 4 },
            ["inputs"] = inputs,
        };
        if (version is not null)
            state["state_version"] = version;
        return state;
    }

    [Fact]
    public void Saved_state_is_plain_JSON_with_its_version_first_and_reads_back_the_same_values()
    {
        var inputs = new Dictionary<string, JsonNode?>
        {
            ["template"] = new JsonObject { ["family"] = "llama3", ["add_bos"] = false },
            ["max_length"] = 256,
            ["skip_bad"] = false,
            ["train_data"] = "sha256:00ff",
            ["eval_data"] = null,
        };
        var directory = _temp.Sub("saved");
        new TrainerState(3, 0, 6, 100, 1.5, new TrainingOptions { BatchSize = 4 }, inputs).Save(directory);

        var text = File.ReadAllText(Path.Combine(directory, TrainerState.FileName));
        var json = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("state_version", json.First().Key);
        Assert.Equal(TrainerState.CurrentVersion, json["state_version"]!.GetValue<int>());
        Assert.Equal(256, json["inputs"]!["max_length"]!.GetValue<int>());
        Assert.Equal("llama3", json["inputs"]!["template"]!["family"]!.GetValue<string>());

        var read = TrainerState.Load(directory);
        Assert.Equal(inputs.Keys.Order(), read.Inputs.Keys.Order());
        Assert.All(inputs, kv => Assert.True(JsonNode.DeepEquals(kv.Value, read.Inputs[kv.Key]), kv.Key));
        Assert.Equal((3, 4), (read.Step, read.Options.BatchSize));
    }

    [Fact]
    public void A_version_1_file_with_inputs_as_JSON_text_reads_as_the_values_they_spell()
    {
        var directory = Write(State(new JsonObject
        {
            ["template"] = """{"family":"llama3","add_bos":false}""",
            ["max_length"] = "256",
            ["skip_bad"] = "false",
            ["train_data"] = "sha256:00ff",
            ["eval_data"] = "null",
            ["output"] = "\"/runs/a\"",
        }, version: null));

        var read = TrainerState.Load(directory);
        Assert.Equal(TrainerState.CurrentVersion, read.StateVersion);
        Assert.Equal("llama3", read.Inputs["template"]!["family"]!.GetValue<string>());
        Assert.Equal(256, read.Inputs["max_length"]!.GetValue<int>());
        Assert.False(read.Inputs["skip_bad"]!.GetValue<bool>());
        Assert.Equal("sha256:00ff", read.Inputs["train_data"]!.GetValue<string>());
        Assert.Null(read.Inputs["eval_data"]);
        Assert.Equal("/runs/a", read.Inputs["output"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"max_length": 256}""", null, "inputs.max_length: expected a string")]
    [InlineData("""{"template": "{\"family\": "}""", null, "inputs.template: '{\"family\": ' is not JSON text")]
    [InlineData("""{"max_length": 256}""", 3, "state_version 3 is newer than this trainer reads (2)")]
    public void A_state_this_trainer_cannot_read_is_refused_naming_the_file_and_field(string inputs, int? version, string expected)
    {
        var directory = Write(State(JsonNode.Parse(inputs)!.AsObject(), version));
        var error = Assert.Throws<InvalidDataException>(() => TrainerState.Load(directory));
        Assert.StartsWith($"{Path.Combine(directory, TrainerState.FileName)}: {expected}", error.Message);
    }

    [Fact]
    public void A_truncated_state_is_an_error_naming_the_file()
    {
        var directory = Write(State(new JsonObject(), version: 2));
        var path = Path.Combine(directory, TrainerState.FileName);
        File.WriteAllText(path, File.ReadAllText(path)[..40]);
        var error = Assert.Throws<InvalidDataException>(() => TrainerState.Load(directory));
        Assert.StartsWith($"{path}: not a trainer state this trainer reads", error.Message);
    }
}
