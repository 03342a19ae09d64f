using System.Diagnostics;
using PoFT.Text.Jinja;

namespace PoFT.Tests.Chat.Jinja;

/// <summary>
/// Templates that would run away — recurse without end, loop without bound, multiply text, take forever — are
/// refused by the sandbox's limits with a <see cref="ChatTemplateException"/> naming the template, the line and the
/// limit, within seconds, and the process lives on (a user error, not a crash).
/// </summary>
public class SandboxLimitTests
{
    private const string Name = "hostile.jinja";

    private static readonly Dictionary<string, object?> NoVariables = new();

    private static ChatTemplateException Refused(string template, SandboxLimits? limits = null, IReadOnlyDictionary<string, object?>? variables = null) =>
        Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template, Name, limits: limits).Render(variables ?? NoVariables));

    [Fact]
    public void A_macro_recursing_without_end_is_refused_at_the_call_depth_limit()
    {
        var e = Refused("a\n{% macro f(n) %}\n{{ f(n + 1) }}\n{% endmacro %}\n{{ f(0) }}");

        Assert.Equal(3, e.Line);
        Assert.StartsWith($"chat template '{Name}', line 3: macro 'f' nests calls more than {SandboxLimits.DefaultMaxCallDepth} deep", e.Message);
        Assert.False(e.RaisedByTemplate);
    }

    [Fact]
    public void Macros_nested_up_to_the_depth_limit_still_render()
    {
        var template = ChatTemplate.Parse("{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% else %}done{% endif %}{% endmacro %}{{ f(depth) }}",
            Name, limits: SandboxLimits.Default with { MaxCallDepth = 5 });

        Assert.Equal("done", template.Render(new Dictionary<string, object?> { ["depth"] = 4 }));
        Assert.Throws<ChatTemplateException>(() => template.Render(new Dictionary<string, object?> { ["depth"] = 5 }));
    }

    [Fact]
    public void Nested_loops_are_refused_at_the_total_iteration_limit()
    {
        var e = Refused("{% for i in range(100000) %}\n{% for j in range(100000) %}{% endfor %}\n{% endfor %}");

        Assert.Equal(2, e.Line);
        Assert.Contains($"more than {SandboxLimits.DefaultMaxLoopIterations:N0} loop iterations", e.Message);
    }

    [Fact]
    public void Iterations_are_counted_across_loops_and_up_to_the_limit_allowed()
    {
        var limits = SandboxLimits.Default with { MaxLoopIterations = 10 };
        var twice = "{% for i in range(5) %}{% endfor %}{% for i in range(n) %}.{% endfor %}";

        Assert.Equal(".....", ChatTemplate.Parse(twice, Name, limits: limits).Render(new Dictionary<string, object?> { ["n"] = 5 }));
        Assert.Contains("more than 10 loop iterations", Refused(twice, limits, new Dictionary<string, object?> { ["n"] = 6 }).Message);
    }

    [Fact]
    public void A_string_doubled_in_a_loop_is_refused_before_it_fills_memory()
    {
        var e = Refused("{% set ns = namespace(s='x') %}{% for i in range(40) %}\n{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}");

        Assert.Equal(2, e.Line);
        Assert.Contains("the result of '~' would be 2,097,152 long, more than the sandbox allows for this input (1,048,576)", e.Message);
    }

    [Theory]
    [InlineData("{{ 'x' * 10**7 }}", "the result of '*' would be 10,000,000 long")]
    [InlineData("{{ ([1] * 10**9) | length }}", "the result of '*' would be 1,000,000,000 long")]
    [InlineData("{{ 10**9 * 'ab' }}", "the result of '*' would be 2,000,000,000 long")]
    [InlineData("{{ ('x' * 100000) | replace('x', 'yy' * 100) }}", "the result of 'replace' would be 20,000,000 long")]
    [InlineData("{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}", "the output would be 1,049,000 long")]
    public void Text_multiplied_beyond_the_input_is_refused_not_capped(string template, string reason)
    {
        var e = Refused(template);

        Assert.Contains(reason, e.Message);
        Assert.Contains("more than the sandbox allows for this input (1,048,576)", e.Message);
    }

    [Fact]
    public void The_output_limit_grows_with_the_input_so_long_conversations_render()
    {
        var content = new string('a', 3_000_000);
        var variables = new Dictionary<string, object?> { ["messages"] = new List<object?> { new Dictionary<string, object?> { ["content"] = content } } };

        var text = ChatTemplate.Parse("{% for m in messages %}<{{ m.content }}>{{ m.content | tojson }}{% endfor %}", Name).Render(variables);

        Assert.Equal(2 * content.Length + 4, text.Length);
    }

    [Fact]
    public void A_render_past_its_time_budget_is_refused()
    {
        var limits = SandboxLimits.Default with { MaxRenderTime = TimeSpan.FromMilliseconds(200) };
        var big = new Dictionary<string, object?> { ["big"] = new string('a', 200_000) };
        var clock = Stopwatch.StartNew();

        var e = Refused("{% for i in range(100000) %}\n{{ big | replace('a', 'b') | length }}{% endfor %}", limits, big);

        Assert.Contains("the render takes more than 0.2 s", e.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Brackets_nested_beyond_the_stack_are_a_syntax_error_not_a_crash()
    {
        var depth = 100_000;
        var template = "{{ " + new string('(', depth) + "1" + new string(')', depth) + " }}";

        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template, Name));

        Assert.Contains("nested too deeply", e.Message);
    }

    [Fact]
    public void Real_templates_render_within_limits_far_below_the_defaults()
    {
        // Far below each default — a tenth of the depth, a thousandth of the iterations, a sixty-fourth of the output
        // allowance — yet every real template renders every conversation of the real-template tests unchanged
        // (measured: depth 1, 138 iterations, 1,544 characters at most; docs/reliability.md).
        var tight = new SandboxLimits(MaxCallDepth: 6, MaxLoopIterations: 1_000, OutputAllowance: 16 << 10, OutputPerInputCharacter: 2, MaxRenderTime: TimeSpan.FromSeconds(2));
        var cases = RealChatTemplates.Names.Select(RealChatTemplates.Load).SelectMany(ChatConversations.Cases)
            .Concat(RealChatTemplates.AllAutomapTemplates().SelectMany(t => ChatConversations.Cases(new RealChatTemplate(t.Model, t.Template, "<s>", "</s>"))));
        var checkedCount = 0;

        foreach (var group in cases.GroupBy(c => (c.Template, c.Now)))
        {
            var template = ChatTemplate.Parse(group.Key.Template, Name, ReferenceJinja.Clock(group.First()), tight);
            foreach (var c in group)
            {
                try
                {
                    template.Render(ReferenceJinja.Variables(c));
                }
                catch (ChatTemplateException e) when (e.RaisedByTemplate || !e.Reason.Contains("sandbox", StringComparison.Ordinal))
                {
                    // refused by the template itself (roles, unsupported features), as jinja2 refuses it
                }
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 100, $"only {checkedCount} real renders checked");
    }
}
