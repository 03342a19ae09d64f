using PoFT.Text.Jinja;

namespace PoFT.Tests.Chat.Jinja;

/// <summary>
/// Templates that jinja2 refuses, to parse or to render: the C# renderer refuses them too, naming the template and
/// the line jinja2 names, and passes a template's raise_exception message through unchanged.
/// </summary>
public class JinjaErrorTests
{
    private const string Messages = """{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], "x": {}}""";

    public static readonly IReadOnlyList<JinjaCase> Cases =
    [
        // ---- Syntax ----
        new("empty-if", "{% if %}x{% endif %}", "{}"),
        new("unclosed-for", "a\n{% for x in y %}\n{{ x }}", "{}"),
        new("unclosed-if-in-for", "{% for x in y %}\n{% if x %}\n{% endfor %}", "{}"),
        new("incomplete-expression", "a\n{{ 1 + }}", "{}"),
        new("stray-endif", "a\n\n{% endif %}", "{}"),
        new("unknown-tag", "{% do x %}", "{}"),
        new("unknown-filter", "\n{{ x | nofilter }}", "{}"),
        new("unknown-test", "{{ x is notatest }}", "{}"),
        new("unterminated-string", "{{ 'abc }}", "{}"),
        new("unclosed-comment", "a\n{# abc", "{}"),
        new("unclosed-print", "{{ x ", "{}"),
        new("unbalanced-bracket", "{{ [1, 2 }}", "{}"),
        new("chained-tests", "{{ x is defined is defined }}", "{}"),
        new("break-outside-loop", "{% break %}", "{}"),

        // ---- Rendering ----
        new("attribute-of-undefined", "\n\n{{ x.y.z }}", Messages),
        new("undefined-variable-attribute", "{{ nothing.attr }}", "{}"),
        new("item-of-undefined", "{{ nothing['k'] }}", "{}"),
        new("call-undefined", "{{ nothing() }}", "{}"),
        new("list-append-is-unsafe", "{{ [1].append(2) }}", "{}"),
        new("namespace-list-append-is-unsafe", "{% set ns = namespace(a=[]) %}\n{% set _ = ns.a.append(1) %}", "{}"),
        new("dict-update-is-unsafe", "{% set d = {} %}{{ d.update({'a': 1}) }}", "{}"),
        new("str-plus-int", "{{ 'a' + 1 }}", "{}"),
        new("int-plus-str-by-precedence", "{{ 1 + 1 ~ 2 }}", "{}"),
        new("division-by-zero", "x\n{{ 1 / 0 }}", "{}"),
        new("undefined-arithmetic", "{{ nothing + 1 }}", "{}"),
        new("iterate-int", "{% for x in 5 %}{% endfor %}", "{}"),
        new("attribute-of-none-attribute", "{{ none.x.y }}", "{}"),
        new("unpack-mismatch", "{% set a, b = [1] %}", "{}"),
        new("tojson-undefined", "{{ nothing | tojson }}", "{}"),
        new("range-too-big", "{{ range(200000) | length }}", "{}"),
        new("generator-has-no-length", "{{ [1, 2] | select('odd') | length }}", "{}"),
        new("missing-attribute-path", "{{ messages | selectattr('tool_calls.0.name', 'defined') | list }}", Messages),
        new("assign-attribute-of-non-namespace", "{% set d = {} %}{% set d.x = 1 %}", "{}"),
        new("compare-str-int", "{{ 'a' < 1 }}", "{}"),
        new("macro-too-many-arguments", "{% macro m(a) %}{{ a }}{% endmacro %}\n{{ m(1, 2) }}", "{}"),
        new("macro-unknown-keyword", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(a=1, b=2) }}", "{}"),
        new("macro-without-caller", "{% macro m() %}x{% endmacro %}{% call m() %}body{% endcall %}", "{}"),
        new("multiline-statement-line", "{% for m in messages %}\n{% if m.role == 'user' %}\n\n{{ m.content.nope.deeper }}\n{% endif %}\n{% endfor %}", Messages),

        // ---- The template's own refusal ----
        new("raise-exception", "line one\n{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}", "{}"),
        new("raise-exception-in-loop", "{% for m in messages %}\n{% if (m.role == 'user') != (loop.index0 % 2 == 0) %}\n{{ raise_exception('roles must alternate') }}\n{% endif %}\n{% endfor %}",
            """{"messages": [{"role": "user"}, {"role": "assistant"}, {"role": "assistant"}]}"""),
        new("raise-exception-in-macro", "{% macro check(m) %}\n{% if m.role == 'tool' %}{{ raise_exception('no tools: ' ~ m.role) }}{% endif %}\n{% endmacro %}\n{{ check({'role': 'tool'}) }}", "{}"),
    ];

    // jinja2 reports a 'break' outside a loop as Python's own SyntaxError, at a line of its generated code.
    private static readonly HashSet<string> LinesOfGeneratedCode = ["break-outside-loop"];

    private static readonly Lazy<Dictionary<string, ReferenceResult>> Reference = new(() =>
        Cases.Zip(ReferenceJinja.Render(Cases)).ToDictionary(p => p.First.Name, p => p.Second));

    public static TheoryData<string> Names() => new(Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void RefusedAsJinja2RefusesNamingTemplateAndLine(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var expected = Reference.Value[name];
        Assert.True(expected.Error is not null, $"jinja2 rendered error case {name}: {expected.Output}");

        var e = Assert.Throws<ChatTemplateException>(() =>
            ChatTemplate.Parse(c.Template, "model-" + name, ReferenceJinja.Clock(c)).Render(ReferenceJinja.Variables(c)));

        Assert.Equal("model-" + name, e.Template);
        Assert.StartsWith($"chat template 'model-{name}', line {e.Line}: ", e.Message, StringComparison.Ordinal);
        if (!LinesOfGeneratedCode.Contains(name))
            Assert.True(expected.Line == e.Line, $"{name}: C# says line {e.Line}, jinja2 line {expected.Line} ({expected.Kind}: {expected.Error}); C#: {e.Message}");
        Assert.Equal(expected.Kind == "TemplateError", e.RaisedByTemplate);
        if (!JinjaComparison.IsSyntaxError(expected.Kind))
            Assert.Equal(expected.Error, e.Reason);
    }
}
