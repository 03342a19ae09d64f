using System.Text;
using PoFT.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Support;

namespace PoFT.Tests.Foundation;

/// <summary>
/// Found by fuzzing (scripts/fuzz.sh tokenizer): a property name holding a lone surrogate escape, <c>"\ud800"</c>,
/// made System.Text.Json's duplicate-key check throw an InvalidOperationException — a bug's stack trace — from every
/// reader that refuses repeated keys (shared/IO/StrictJson.cs). Each now refuses the file as malformed JSON, naming it.
/// </summary>
public class LoneSurrogateKeyTests
{
    private const string Json = """{"model": {"\ud800": 1}}""";

    [Fact]
    public void A_tokenizer_json_is_refused_as_invalid_json()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("tokenizer.json"), Json);
        var error = Assert.Throws<FormatException>(() => TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.HuggingFace, "tokenizer.json"), temp.Path));
        Assert.StartsWith($"{temp.File("tokenizer.json")}: not valid JSON: a property name or string is not valid UTF-16", error.Message);
    }

    [Fact]
    public void A_config_json_is_refused_as_invalid_json()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("config.json"), Json);
        var error = Assert.Throws<CheckpointFormatException>(() => ModelConfig.Load(temp.File("config.json")));
        Assert.Contains("not valid JSON: a property name or string is not valid UTF-16", error.Message);
    }

    [Fact]
    public void A_data_line_is_refused_naming_the_line()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("data.jsonl"), """{"id": "a", "prompt": "Hi", "response": "Hello"}""" + "\n" + Json + "\n");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(temp.File("data.jsonl")));
        Assert.StartsWith($"{temp.File("data.jsonl")}:2: malformed JSON: a property name or string is not valid UTF-16", error.Message);
    }

    // Found by fuzzing (scripts/fuzz.sh data): the same escape in a string value threw when the record's field was read.
    [Theory]
    [InlineData("data.jsonl", """{"id": "a", "prompt": "Hi \ud800", "response": "Hello"}""" + "\n", ":1: malformed JSON: a property name or string is not valid UTF-16")]
    [InlineData("data.json", """[{"messages": [{"role": "user", "content": "\udc00"}]}]""", ":1 (record 1): malformed JSON: a property name or string is not valid UTF-16")]
    public void A_data_value_is_refused_naming_the_record(string name, string content, string expected)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File(name), content);
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(temp.File(name)));
        Assert.StartsWith(temp.File(name) + expected, error.Message);
    }

    [Fact]
    public void A_safetensors_header_is_refused_as_invalid_json()
    {
        using var temp = new TempDirectory();
        var header = Encoding.UTF8.GetBytes(Json);
        File.WriteAllBytes(temp.File("model.safetensors"), [.. BitConverter.GetBytes((ulong)header.Length), .. header]);
        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(temp.File("model.safetensors")));
        Assert.Contains("header is not valid JSON: a property name or string is not valid UTF-16", error.Message);
    }
}
