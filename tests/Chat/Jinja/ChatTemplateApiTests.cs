using PoFT.Text.Jinja;

namespace PoFT.Tests.Chat.Jinja;

/// <summary>The renderer's C# surface: CLR variables, generation spans, the injected clock, parallel renders.</summary>
public class ChatTemplateApiTests
{
    private const string Template =
        "{{ bos_token }}{% for m in messages %}<{{ m.role }}>{% if m.role == 'assistant' %}{% generation %}{{ m.content | trim }}{% endgeneration %}"
        + "{% else %}{{ m.content }}{% endif %}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";

    private static Dictionary<string, object?> Conversation(params (string Role, string Content)[] turns) => new()
    {
        ["messages"] = turns.Select(t => new Dictionary<string, object?> { ["role"] = t.Role, ["content"] = t.Content }).ToList(),
        ["add_generation_prompt"] = false,
        ["bos_token"] = "<s>",
    };

    [Fact]
    public void RendersClrVariablesAndRecordsWhereGenerationBlocksLand()
    {
        var output = ChatTemplate.Parse(Template, "toy").RenderWithGeneration(Conversation(("user", "Hi 🎉"), ("assistant", " Hello 😀 "), ("user", "Bye")));

        Assert.Equal("<s><user>Hi 🎉<assistant>Hello 😀<user>Bye", output.Text);
        var span = Assert.Single(output.Generation);
        Assert.Equal("Hello 😀", output.Text[span.Start..span.End]);
    }

    [Fact]
    public void ClrNumbersBoolsAndNullsBehaveAsPythonValues()
    {
        var variables = new Dictionary<string, object?> { ["i"] = 3, ["f"] = 1.5f, ["m"] = 2.0m, ["b"] = true, ["n"] = null, ["xs"] = new[] { 1, 2 } };

        var text = ChatTemplate.Parse("{{ i / 2 }} {{ i // 2 }} {{ f }} {{ m }} {{ b }} {{ n }} {{ xs | sum }} {{ i is integer }}", "toy").Render(variables);

        Assert.Equal("1.5 1 1.5 2.0 True None 3 True", text);
    }

    [Fact]
    public void StrftimeNowReadsTheInjectedClock()
    {
        var clock = ReferenceJinja.Clock(new JinjaCase("clock", "", "{}", "2025-02-03T04:05:06"));

        var text = ChatTemplate.Parse("{{ strftime_now('%d %b %Y %H:%M') }}", "toy", clock).Render(new Dictionary<string, object?>());

        Assert.Equal("03 Feb 2025 04:05", text);
    }

    [Fact]
    public void OneParsedTemplateRendersInParallel()
    {
        var template = ChatTemplate.Parse(Template, "toy");
        var texts = Enumerable.Range(0, 64).AsParallel()
            .Select(i => template.Render(Conversation(("user", $"q{i}"), ("assistant", $"a{i}")))).ToList();

        Assert.Equal(Enumerable.Range(0, 64).Select(i => $"<s><user>q{i}<assistant>a{i}"), texts);
    }

    [Fact]
    public void ARefusalNamesTheModelLineAndMessage()
    {
        var template = ChatTemplate.Parse("{% for m in messages %}\n{% if m.role == 'tool' %}{{ raise_exception('no tool role') }}{% endif %}{% endfor %}", "my-model");

        var e = Assert.Throws<ChatTemplateException>(() => template.Render(Conversation(("tool", "x"))));

        Assert.Equal("chat template 'my-model', line 2: no tool role", e.Message);
        Assert.True(e.RaisedByTemplate);
    }
}
