using System.Text.Json.Nodes;

namespace PoFT.Tests.Chat.Jinja;

/// <summary>
/// Conversations to render real templates with: with and without a system message, one to three turns,
/// whitespace at the ends (templates trim), CRLF, non-BMP characters, code that looks like template syntax,
/// reasoning in &lt;think&gt;, characters only Python counts as whitespace, empty contents, roles that do not
/// alternate, contents as lists of parts, extra message fields, and tool calls.
/// </summary>
public static class ChatConversations
{
    public static readonly IReadOnlyList<(string Name, string MessagesJson)> All =
    [
        ("system-two-turns", """[{"role": "system", "content": "You are a terse assistant."}, {"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "It is 4."}, {"role": "user", "content": "And in French?"}, {"role": "assistant", "content": "C'est quatre."}]"""),
        ("no-system", """[{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello. How can I help?"}]"""),
        ("single-user", """[{"role": "user", "content": "Write a haiku about rain."}]"""),
        ("system-and-user", """[{"role": "system", "content": "Answer in one word."}, {"role": "user", "content": "Capital of France?"}]"""),
        ("whitespace-at-ends", """[{"role": "system", "content": "  Be brief.  \n"}, {"role": "user", "content": "\n  padded question?  \n"}, {"role": "assistant", "content": "  answer with spaces \n\n"}, {"role": "user", "content": "\t tabbed\t"}]"""),
        ("crlf", """[{"role": "user", "content": "line one\r\nline two\r\n"}, {"role": "assistant", "content": "ok\r\nsecond\r\n"}]"""),
        ("unicode", """[{"role": "user", "content": "Grüße, 你好, emoji 🎉👩‍💻, math 𝔘𝔫𝔦, rtl שלום, ß and ﬁ"}, {"role": "assistant", "content": "Ça va — “bien” ✓ 𝄞 \ud83d\ude00"}]"""),
        ("code", """[{"role": "user", "content": "Fix this:\n```python\ndef f(x):\n\treturn x  # {{ not a tag }} {% raw %} {# nor a comment #}\n```"}, {"role": "assistant", "content": "```python\ndef f(x):\n    return x\n```\nDone."}]"""),
        ("reasoning", """[{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "<think>\nAdd them.\n</think>\n\n4"}, {"role": "user", "content": "and 3+3?"}, {"role": "assistant", "content": "<think>\nAgain.\n</think>\n\n6"}]"""),
        ("three-turns", """[{"role": "system", "content": "S"}, {"role": "user", "content": "u1"}, {"role": "assistant", "content": "a1"}, {"role": "user", "content": "u2"}, {"role": "assistant", "content": "a2"}, {"role": "user", "content": "u3"}, {"role": "assistant", "content": "a3"}]"""),
        ("python-only-whitespace", """[{"role": "user", "content": "\u001fseparated\u001c \u0085"}, {"role": "assistant", "content": "\u00a0nbsp\u3000\u001e"}]"""),
        ("empty-contents", """[{"role": "user", "content": ""}, {"role": "assistant", "content": ""}]"""),
        ("roles-not-alternating", """[{"role": "user", "content": "one"}, {"role": "user", "content": "two"}]"""),
        ("content-parts", """[{"role": "system", "content": [{"type": "text", "text": "Be kind."}]}, {"role": "user", "content": [{"type": "text", "text": " Describe "}, {"type": "image"}, {"type": "text", "text": "this."}]}, {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]}]"""),
        ("extra-fields", """[{"role": "user", "content": "Hi", "name": "ann"}, {"role": "assistant", "content": "Hello", "reasoning_content": "Greet back.", "tool_calls": []}, {"role": "user", "content": "Bye"}]"""),
        ("tool-call", """[{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}, {"role": "tool", "content": "{\"temp\": 21}"}, {"role": "assistant", "content": "21 °C."}]"""),
    ];

    private const string Tools = """[{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]""";

    /// <summary>
    /// The cases for one template: each conversation with and without the generation prompt, without thinking
    /// (Qwen3's enable_thinking=False; others ignore it), and two with tools, passed as apply_chat_template passes them.
    /// </summary>
    public static List<JinjaCase> Cases(RealChatTemplate template)
    {
        var cases = new List<JinjaCase>();
        foreach (var (name, messages) in All)
        {
            foreach (var prompt in new[] { false, true })
                cases.Add(Case(template, $"{name}/prompt={prompt}", messages, prompt, extra: null));
            cases.Add(Case(template, $"{name}/no-thinking", messages, true, new JsonObject { ["enable_thinking"] = false }));
        }
        foreach (var name in new[] { "system-two-turns", "no-system" })
            cases.Add(Case(template, $"{name}/tools", All.Single(c => c.Name == name).MessagesJson, true, new JsonObject { ["tools"] = JsonNode.Parse(Tools) }));
        return cases;
    }

    private static JinjaCase Case(RealChatTemplate template, string name, string messages, bool addGenerationPrompt, JsonObject? extra)
    {
        var variables = new JsonObject
        {
            ["messages"] = JsonNode.Parse(messages),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["tools"] = null,
            ["documents"] = null,
            ["bos_token"] = template.BosToken,
            ["eos_token"] = template.EosToken,
        };
        foreach (var (key, value) in extra ?? [])
            variables[key] = value?.DeepClone();
        return new JinjaCase($"{template.Name}:{name}", template.Source, variables.ToJsonString());
    }
}
