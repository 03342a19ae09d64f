using PoFT.Shared.Manifest;
using System.Collections.Concurrent;
using System.Text.Json;
using PoFT.Text.Jinja;
using PoFT.Shared.Data;
using PoFT.Text.Tokenizers;

namespace PoFT.Text.Chat;

/// <summary>
/// A conversation rendered by a Hugging Face Jinja chat template (the model's own, or a file), and what is
/// scored in it, found with no per-family code. For each assistant message:
/// <list type="bullet">
/// <item>its content ends where a marker appended to the content lands: the text after the marker is what the
/// template writes after the content, so it must end the real render too (templates may trim or rewrite the
/// content; they cannot tell the marker from text);</item>
/// <item>its response starts where the template's generation prompt ends (what <c>add_generation_prompt</c> adds
/// after the conversation so far: what a model generates follows it), found last before the content's end; where the
/// template has no such prompt, or writes another header before earlier turns, where a marker prepended to the
/// content lands, with the spaces the template writes right before it (the model's first token carries them);</item>
/// <item>the end-of-turn marker that closes it is what the template writes after the content up to and including
/// its first special token (<c>&lt;|eot_id|&gt;</c>, <c>&lt;|im_end|&gt;</c>, <c>&lt;end_of_turn&gt;</c>, <c> &lt;/s&gt;</c>, …),
/// taken from a render in which the conversation ends with that message.</item>
/// </list>
/// So a reasoning block that the template renders between the generation prompt and the content (Qwen3's
/// <c>&lt;think&gt;…&lt;/think&gt;</c> in its last turn) is scored — the model generates it — and one the template drops
/// from earlier turns is not there to score. <c>strftime_now</c> reads a fixed date, 26 Jul 2024 (Llama 3.1's own
/// default), so that scores never depend on the day they were computed.
/// </summary>
public sealed class HfChatTemplate
{
    /// <summary>A private-use character: no template strips, splits on or rewrites it.</summary>
    private const string Marker = "\uE000";

    private static readonly TimeProvider FixedClock = new FixedTimeProvider(new DateTimeOffset(2024, 7, 26, 0, 0, 0, TimeSpan.Zero));
    private static readonly ConcurrentDictionary<(string Source, string Name), ChatTemplate> Parsed = new();

    private readonly ChatTemplate _template;
    private readonly ModelTokenizer _tokenizer;
    private readonly IReadOnlyDictionary<string, JsonElement> _kwargs;

    private HfChatTemplate(ChatTemplate template, ModelTokenizer tokenizer, IReadOnlyDictionary<string, JsonElement>? kwargs) =>
        (_template, _tokenizer, _kwargs) = (template, tokenizer, kwargs ?? new Dictionary<string, JsonElement>());

    /// <summary>The template a spec of family <c>auto</c> or <c>jinja</c> names, parsed once per process.</summary>
    public static HfChatTemplate For(ChatTemplateSpec spec, ModelTokenizer tokenizer)
    {
        var (source, name) = spec.Family switch
        {
            ChatTemplateSpec.Auto => (TokenizerConfigFile.ChatTemplate(tokenizer)
                ?? throw new ArgumentException($"chat template 'auto': no chat_template in the {TokenizerConfigFile.FileName} beside {tokenizer.Source}; " +
                    "name a family (llama3, chatml, …) or a template file ({\"family\": \"jinja\", \"jinja\": PATH})"), TokenizerConfigFile.PathBeside(tokenizer)),
            ChatTemplateSpec.JinjaFile => (File.Exists(spec.Jinja) ? File.ReadAllText(spec.Jinja)
                : throw new ArgumentException($"chat template 'jinja': field 'jinja': file not found: {spec.Jinja}"), spec.Jinja!),
            _ => throw new ArgumentException($"chat template '{spec.Family}' is not a Jinja template"),
        };
        return new HfChatTemplate(Parsed.GetOrAdd((source, name), key => ChatTemplate.Parse(key.Source, key.Name, FixedClock)), tokenizer, spec.Kwargs);
    }

    /// <summary>The conversation as apply_chat_template renders it (no generation prompt), with its response spans.</summary>
    /// <exception cref="InvalidSampleException">The template refuses the conversation (its raise_exception), or
    /// its response spans cannot be found.</exception>
    public RenderedConversation Render(string sampleId, IReadOnlyList<ChatMessage> messages)
    {
        try
        {
            return RenderWithSpans(sampleId, messages);
        }
        catch (ChatTemplateException e) when (e.RaisedByTemplate)
        {
            throw new InvalidSampleException(sampleId, e.Message);
        }
    }

    /// <summary>The conversation so far as apply_chat_template renders it with <c>add_generation_prompt</c>: what a
    /// model continues to answer it.</summary>
    public string GenerationPrompt(IReadOnlyList<ChatMessage> messages) => Text(messages, generationPrompt: true);

    private RenderedConversation RenderWithSpans(string sampleId, IReadOnlyList<ChatMessage> messages)
    {
        var text = Text(messages, generationPrompt: false);
        var spans = new List<Range>();
        for (var k = 0; k < messages.Count; k++)
        {
            if (messages[k].Role != ChatMessage.Assistant)
                continue;
            var (end, after) = ContentEnd(sampleId, messages, k, text);
            var start = ResponseStart(sampleId, messages, k, text, end, spans.Count > 0 ? spans[^1].End.Value : 0);
            // The last message's marked render already is the render that ends with it.
            var ending = k == messages.Count - 1 ? after : null;
            spans.Add(start..(end + EndOfTurn(sampleId, messages, k, text, end, ending)));
        }
        return new RenderedConversation(text, spans);
    }

    /// <returns>Where the content ends in <paramref name="text"/>, and what the template writes after it.</returns>
    private (int End, string After) ContentEnd(string sampleId, IReadOnlyList<ChatMessage> messages, int k, string text)
    {
        var marked = Text(WithContent(messages, k, messages[k].Content + Marker), generationPrompt: false);
        var after = MarkerSplit(sampleId, k, marked).After;
        return text.EndsWith(after, StringComparison.Ordinal) ? (text.Length - after.Length, after)
            : throw Unlocatable(sampleId, k, "what the template writes after the content depends on the content");
    }

    private int ResponseStart(string sampleId, IReadOnlyList<ChatMessage> messages, int k, string text, int contentEnd, int previousEnd)
    {
        if (k > 0)
        {
            var before = Text(Take(messages, k), generationPrompt: false);
            var prompted = Text(Take(messages, k), generationPrompt: true);
            if (prompted.Length > before.Length && prompted.StartsWith(before, StringComparison.Ordinal))
            {
                var header = prompted[before.Length..];
                var at = text.LastIndexOf(header, contentEnd - 1, contentEnd - previousEnd, StringComparison.Ordinal);
                if (at >= previousEnd)
                    return at + header.Length;
            }
        }
        var marked = Text(WithContent(messages, k, Marker + messages[k].Content), generationPrompt: false);
        var (prefix, _) = MarkerSplit(sampleId, k, marked);
        if (!text.StartsWith(prefix, StringComparison.Ordinal) || prefix.Length > contentEnd)
            throw Unlocatable(sampleId, k, "what the template writes before the content depends on the content");
        // A space the template puts before the content ("[/INST] answer") is the start of the first token the model
        // generates (SentencePiece's "▁answer", byte-level BPE's " answer"), so it belongs to the response.
        var start = prefix.Length;
        while (start > previousEnd && text[start - 1] == ' ')
            start--;
        return start;
    }

    /// <returns>How many characters after the content close the turn: up to and including the first special
    /// token the template writes there when the conversation ends with this message; 0 where it writes none.</returns>
    /// <param name="after">What the template writes after the content when the conversation ends with this
    /// message, where already rendered.</param>
    private int EndOfTurn(string sampleId, IReadOnlyList<ChatMessage> messages, int k, string text, int contentEnd, string? after)
    {
        after ??= MarkerSplit(sampleId, k, Text(WithContent(Take(messages, k + 1), k, messages[k].Content + Marker), generationPrompt: false)).After;
        var first = _tokenizer.SpecialTokens.Keys
            .Select(token => (Token: token, At: after.IndexOf(token, StringComparison.Ordinal)))
            .Where(t => t.At >= 0)
            .OrderBy(t => t.At).ThenByDescending(t => t.Token.Length)
            .FirstOrDefault();
        if (first.Token is null)
            return 0;
        var closing = after[..(first.At + first.Token.Length)];
        return string.CompareOrdinal(text, contentEnd, closing, 0, closing.Length) == 0 ? closing.Length : 0;
    }

    private (string Before, string After) MarkerSplit(string sampleId, int k, string marked)
    {
        var at = marked.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0 || marked.IndexOf(Marker, at + 1, StringComparison.Ordinal) >= 0)
            throw Unlocatable(sampleId, k, "the template does not write the content exactly once");
        return (marked[..at], marked[(at + 1)..]);
    }

    private string Text(IReadOnlyList<ChatMessage> messages, bool generationPrompt)
    {
        var variables = new Dictionary<string, object?>(_kwargs.ToDictionary(kv => kv.Key, kv => (object?)kv.Value))
        {
            ["messages"] = messages.Select(m => new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["add_generation_prompt"] = generationPrompt,
            ["bos_token"] = _tokenizer.Bos?.Text ?? "",
            ["eos_token"] = _tokenizer.Eos?.Text ?? "",
        };
        try
        {
            return _template.Render(variables);
        }
        catch (ChatTemplateException e) when (!e.RaisedByTemplate)
        {
            // A template that cannot render this tokenizer's conversations is the model's setup, not the sample's.
            throw new ArgumentException(e.Message, e);
        }
    }

    private static List<ChatMessage> Take(IReadOnlyList<ChatMessage> messages, int count) => [.. messages.Take(count)];

    private static List<ChatMessage> WithContent(IReadOnlyList<ChatMessage> messages, int k, string content) =>
        [.. messages.Select((m, i) => i == k ? m with { Content = content } : m)];

    private InvalidSampleException Unlocatable(string sampleId, int k, string why) =>
        new(sampleId, $"chat template '{_template.Name}': cannot find the scored span of message {k}: {why}");

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
