using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Tests.Support;

namespace PoFT.Tests.Chat.Jinja;

/// <summary>One template render to compare: the template, its variables as JSON, and the time strftime_now reads.</summary>
public sealed record JinjaCase(string Name, string Template, string VariablesJson, string Now = JinjaCase.FixedNow)
{
    public const string FixedNow = "2024-07-26T10:05:00";
}

/// <summary>What Python's jinja2 made of a case: the output and generation spans, or the error and its line.</summary>
public sealed record ReferenceResult(string? Output, IReadOnlyList<(int Start, int End)> Generation, string? Error, string? Kind, int? Line);

/// <summary>
/// Renders cases with Python's jinja2 configured as transformers configures it (tests/Chat/Jinja/reference_render.py),
/// all cases of a batch in one python3 process.
/// </summary>
public static class ReferenceJinja
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "tests", "Chat", "Jinja", "reference_render.py");

    public static IReadOnlyList<ReferenceResult> Render(IReadOnlyList<JinjaCase> cases)
    {
        var input = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
        {
            ["template"] = c.Template,
            ["variables"] = JsonNode.Parse(c.VariablesJson),
            ["now"] = c.Now,
        }).ToArray());
        var start = new ProcessStartInfo("python3", [Script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process python;
        try
        {
            python = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("the Jinja reference tests need python3 with jinja2 3.1 (python3 not found): " + e.Message);
        }
        using (python)
        {
            var stdout = python.StandardOutput.ReadToEndAsync();
            var stderr = python.StandardError.ReadToEndAsync();
            python.StandardInput.Write(input.ToJsonString());
            python.StandardInput.Close();
            python.WaitForExit();
            if (python.ExitCode != 0)
                throw new InvalidOperationException($"{Script} exited with {python.ExitCode} (the Jinja reference tests need python3 with jinja2 3.1): {stderr.Result}");
            return JsonNode.Parse(stdout.Result)!.AsArray().Select(r => Parse(r!.AsObject())).ToList();
        }
    }

    private static ReferenceResult Parse(JsonObject r) => new(
        r["output"]?.GetValue<string>(),
        r["generation"]?.AsArray().Select(s => (s![0]!.GetValue<int>(), s[1]!.GetValue<int>())).ToList() ?? [],
        r["error"]?.GetValue<string>(),
        r["kind"]?.GetValue<string>(),
        r["line"]?.GetValue<int?>());

    /// <summary>The case's variables as the C# renderer takes them.</summary>
    public static Dictionary<string, object?> Variables(JinjaCase c) =>
        JsonNode.Parse(c.VariablesJson)!.AsObject().ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone());

    public static TimeProvider Clock(JinjaCase c) => new FixedClock(DateTime.Parse(c.Now, System.Globalization.CultureInfo.InvariantCulture));

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
        public override DateTimeOffset GetUtcNow() => new(DateTime.SpecifyKind(now, DateTimeKind.Utc));
    }
}
