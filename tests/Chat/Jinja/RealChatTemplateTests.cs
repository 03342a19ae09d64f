using Xunit.Abstractions;

namespace PoFT.Tests.Chat.Jinja;

/// <summary>Real models' chat templates render every conversation exactly as Python's jinja2 renders them.</summary>
public class RealChatTemplateTests(ITestOutputHelper output)
{
    public static TheoryData<string> Templates() => new(RealChatTemplates.Names);

    [Theory]
    [MemberData(nameof(Templates))]
    public void RendersAsJinja2(string name)
    {
        var template = RealChatTemplates.Load(name);
        AssertAllEqual(name, ChatConversations.Cases(template), name);
    }

    /// <summary>Every template of the automap (95 models' templates: tool use, reasoning, generation blocks, macros),
    /// with generic special tokens.</summary>
    [Fact]
    public void EveryAutomapTemplateRendersAsJinja2()
    {
        var cases = RealChatTemplates.AllAutomapTemplates()
            .SelectMany(t => ChatConversations.Cases(new RealChatTemplate(t.Model, t.Template, "<s>", "</s>"))).ToList();
        AssertAllEqual("automap", cases, "model");
    }

    private void AssertAllEqual(string label, List<JinjaCase> cases, string templateName)
    {
        var reference = ReferenceJinja.Render(cases);
        var differences = cases.Zip(reference).Select(p => JinjaComparison.Difference(p.First, p.Second, templateName)).OfType<string>().ToList();
        var refused = reference.Count(r => r.Error is not null);
        output.WriteLine($"{label}: {cases.Count - differences.Count}/{cases.Count} renders equal to jinja2 ({refused} of them refused by both)");
        Assert.True(differences.Count == 0, string.Join("\n\n", differences.Take(20)));
    }
}
