using System.Text.Json.Nodes;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Text.Chat;
using PoFT.Text.Jinja;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Support;

namespace PoFT.Tests.Chat.Jinja;

/// <summary>
/// A hostile or broken chat template is refused as the user's error naming the file the template came from — the
/// model's tokenizer_config.json, or the manifest's jinja file — never tokenizer.json, and never a crash.
/// </summary>
public sealed class HostileTemplateFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> BrokenTemplates() => new()
    {
        { "{% for m in messages %}{{ m.content }", "syntax error" },
        { "{{ messages|frobnicate }}", "frobnicate" },
        { "{% macro f(n) %}{{ f(n+1) }}{% endmacro %}{{ f(0) }}", "nests calls more than 64 deep" },
    };

    [Theory]
    [MemberData(nameof(BrokenTemplates))]
    public void A_models_own_template_is_named_by_its_tokenizer_config(string template, string reason)
    {
        var tokenizer = TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.HuggingFace, "tokenizer.json"), ModelDirectory(template));
        var config = Path.Combine(Path.GetDirectoryName(tokenizer.Source)!, TokenizerConfigFile.FileName);

        var e = Assert.ThrowsAny<Exception>(() =>
            HfChatTemplate.For(new ChatTemplateSpec(ChatTemplateSpec.Auto), tokenizer).Render("s1", [new("user", "hi"), new("assistant", "yo")]));

        Assert.StartsWith($"chat template '{config}', line 1: ", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain(HfTokenizerJson.FileName + "'", e.Message);
    }

    [Theory]
    [MemberData(nameof(BrokenTemplates))]
    [Trait(TestTier.Category, TestTier.Slow)]
    public async Task Inspect_refuses_a_hostile_template_in_one_line_naming_its_file(string template, string reason)
    {
        var jinja = _temp.File("hostile.jinja");
        File.WriteAllText(jinja, template);
        File.WriteAllText(_temp.File("model.onnx"), "");
        File.WriteAllText(_temp.File("data.jsonl"), """{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}""" + "\n");
        var manifest = new JsonObject
        {
            ["models"] = new JsonArray(new JsonObject
            {
                ["name"] = "m",
                ["onnx"] = "model.onnx",
                ["tokenizer"] = new JsonObject { ["kind"] = "hf", ["path"] = Path.Combine(RepoPaths.Tokenizer("qwen3"), "tokenizer.json") },
                ["template"] = new JsonObject { ["family"] = "jinja", ["jinja"] = "hostile.jinja" },
            }),
        };
        File.WriteAllText(_temp.File("models.json"), manifest.ToJsonString());

        var result = await PoftProcess.Run(["inspect", "--manifest", _temp.File("models.json"), "--data", _temp.File("data.jsonl")]);

        // The CLI's code for the user's errors (not 134, an abort, nor 139, a signal).
        Assert.InRange(result.ExitCode, 1, 2);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains($"chat template '{jinja}', line 1: ", lines[0]);
        Assert.Contains(reason, lines[0]);
    }

    [Fact]
    [Trait(TestTier.Category, TestTier.Slow)]
    public async Task Inspect_of_one_model_opens_only_that_model()
    {
        File.WriteAllText(_temp.File("hostile.jinja"), "{% for m in messages %}{{ m.content }");
        File.WriteAllText(_temp.File("model.onnx"), "");
        File.WriteAllText(_temp.File("data.jsonl"), """{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}""" + "\n");
        JsonObject Entry(string name, JsonObject template) => new()
        {
            ["name"] = name,
            ["onnx"] = "model.onnx",
            ["tokenizer"] = new JsonObject { ["kind"] = "hf", ["path"] = Path.Combine(RepoPaths.Tokenizer("qwen3"), "tokenizer.json") },
            ["template"] = template,
        };
        var manifest = new JsonObject
        {
            ["models"] = new JsonArray(Entry("broken", new JsonObject { ["family"] = "jinja", ["jinja"] = "hostile.jinja" }),
                Entry("sound", new JsonObject { ["family"] = "chatml" })),
        };
        File.WriteAllText(_temp.File("models.json"), manifest.ToJsonString());

        var one = await PoftProcess.Run(["inspect", "--manifest", _temp.File("models.json"), "--data", _temp.File("data.jsonl"), "--model", "sound"]);
        Assert.Equal(0, one.ExitCode);
        Assert.Contains("· sound:", one.Output);
        Assert.DoesNotContain("broken", one.Output + one.Error);

        // Without --model both are opened, and the broken one is refused: the case above is not a broken template ignored.
        var all = await PoftProcess.Run(["inspect", "--manifest", _temp.File("models.json"), "--data", _temp.File("data.jsonl")]);
        Assert.InRange(all.ExitCode, 1, 2);
        Assert.Contains("hostile.jinja", all.Error);
    }

    // A model directory: a real tokenizer.json, and a tokenizer_config.json whose chat_template is the given one.
    private string ModelDirectory(string template)
    {
        var directory = _temp.Sub("model");
        var real = RepoPaths.Tokenizer("qwen3");
        File.Copy(Path.Combine(real, HfTokenizerJson.FileName), Path.Combine(directory, HfTokenizerJson.FileName));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(real, TokenizerConfigFile.FileName)))!.AsObject();
        config["chat_template"] = template;
        File.WriteAllText(Path.Combine(directory, TokenizerConfigFile.FileName), config.ToJsonString());
        return directory;
    }
}
