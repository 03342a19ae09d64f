using PoFT.Text.Jinja;

namespace PoFT.Tests.Chat.Jinja;

/// <summary>Renders a case with the C# renderer and says how it differs from the reference, if it does.</summary>
public static class JinjaComparison
{
    /// <summary>Null when the C# render equals the reference: the same text and generation spans, or the same
    /// failure at the same line (the same message too, but for syntax errors, which jinja2 words its own way).</summary>
    public static string? Difference(JinjaCase c, ReferenceResult expected, string templateName)
    {
        ChatTemplateOutput actual;
        try
        {
            actual = ChatTemplate.Parse(c.Template, templateName, ReferenceJinja.Clock(c)).RenderWithGeneration(ReferenceJinja.Variables(c));
        }
        catch (ChatTemplateException e)
        {
            if (expected.Error is null)
                return $"{c.Name}: C# failed ({e.Message}) where jinja2 rendered {Show(expected.Output)}";
            if (!e.Message.StartsWith($"chat template '{templateName}', line ", StringComparison.Ordinal))
                return $"{c.Name}: the error does not name the template and line: {e.Message}";
            if (e.Line != expected.Line || e.RaisedByTemplate != (expected.Kind == "TemplateError")
                || (!IsSyntaxError(expected.Kind) && e.Reason != expected.Error))
                return $"{c.Name}: jinja2 failed at line {expected.Line} with {expected.Kind}: {expected.Error}; C#: {e.Message}";
            return null;
        }
        if (expected.Error is not null)
            return $"{c.Name}: C# rendered {Show(actual.Text)} where jinja2 failed: {expected.Kind}: {expected.Error}";
        if (actual.Text != expected.Output)
            return $"{c.Name}: C# rendered\n{Show(actual.Text)}\njinja2 rendered\n{Show(expected.Output)}";
        var spans = actual.Generation.Select(s => (s.Start, s.End)).ToList();
        if (!spans.SequenceEqual(expected.Generation))
            return $"{c.Name}: generation spans [{string.Join(", ", spans)}], jinja2 [{string.Join(", ", expected.Generation)}]";
        return null;
    }

    public static bool IsSyntaxError(string? kind) => kind is "TemplateSyntaxError" or "TemplateAssertionError" or "SyntaxError";

    private static string Show(string? text) => text is null ? "(nothing)" : System.Text.Json.JsonSerializer.Serialize(text);
}
