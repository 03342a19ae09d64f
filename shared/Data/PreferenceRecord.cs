using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>
/// One record of a preference data file (a JSONL line, a JSON array element or a Parquet row, seen as a JSON object)
/// turned into a <see cref="PreferencePair"/>. Layouts (<see cref="PreferenceLayouts"/>):
/// <list type="bullet">
/// <item><c>pair-strings</c>: <c>{"prompt", "chosen", "rejected", "system"?}</c>, each completion one assistant turn;</item>
/// <item><c>trl-conversational</c>: <c>"prompt"</c>, <c>"chosen"</c> and <c>"rejected"</c> lists of messages, the
/// completions' lists holding their assistant turns (after the prompt's turns, where they repeat them);</item>
/// <item><c>whole-conversations</c> (UltraFeedback-binarized): <c>"chosen"</c> and <c>"rejected"</c> lists that share the
/// prompt's turns, <c>"prompt"</c> the string content of the last user turn they share (or absent);</item>
/// <item><c>hh</c> (Anthropic/hh-rlhf): <c>"chosen"</c> and <c>"rejected"</c> whole transcripts,
/// <c>"\n\nHuman: …\n\nAssistant: …"</c>, split into turns (<see cref="HhTranscript"/>) and read as whole conversations.</item>
/// </list>
/// With <c>data_format</c> <c>auto</c>, a file whose first record is an HH transcript is read as <c>hh</c>, every record;
/// otherwise each record is read in whichever of the first three it fits (as exports mix them). Optional <c>"id"</c>
/// (or <c>"prompt_id"</c>, or the mapped id field), string or integer; without one, the id is derived from the prompt
/// and both completions. Other fields (UltraFeedback's <c>messages</c>, scores) are not read.
/// </summary>
public sealed class PreferenceRecord(DataFormat format)
{
    private string? _layout;
    private string? _detectedAt;

    /// <summary>The layout the records are read in, and how it was chosen; null before the first record is read.</summary>
    public string? Layout => _layout is null ? null : _detectedAt is null ? $"{_layout} (data_format)" : $"{_layout} (detected from {_detectedAt})";

    public static bool IsPreference(JsonObject record) => record.ContainsKey("chosen") && record.ContainsKey("rejected");

    /// <summary>One record, in whichever layout it fits.</summary>
    public static PreferencePair Parse(JsonObject record, string location) => new PreferenceRecord(DataFormat.Default).Read(record, location);

    public PreferencePair Read(JsonObject record, string location)
    {
        DataFormatException Bad(string reason) => new(location, reason);
        if (!IsPreference(record))
            throw Bad(record.ContainsKey("messages") || record.ContainsKey("response") || record.ContainsKey("conversations")
                ? "an SFT record ('messages', or 'prompt' and 'response') in a preference file: expected 'prompt', 'chosen' and 'rejected'"
                : $"missing field '{(record.ContainsKey("chosen") ? "rejected" : "chosen")}' (a preference record has 'prompt', 'chosen' and 'rejected')");
        var shape = PreferenceLayouts.ShapeOf(record);
        CheckLayout(shape, location, Bad);
        var (prompt, chosen, rejected) = (shape, record["chosen"], record["rejected"]) switch
        {
            (PreferenceLayouts.Hh, JsonValue c, JsonValue r) => FromConversations(record,
                HhTranscript.Turns(c.GetValue<string>(), "chosen", Bad), HhTranscript.Turns(r.GetValue<string>(), "rejected", Bad), Bad),
            (_, JsonValue, JsonValue) => FromStrings(record, Bad),
            (_, JsonArray c, JsonArray r) when record["prompt"] is JsonArray p => FromExplicitPrompt(RecordFields.Messages(p, "prompt", Bad), c, r, Bad),
            (_, JsonArray c, JsonArray r) => FromConversations(record, RecordFields.Messages(c, "chosen", Bad), RecordFields.Messages(r, "rejected", Bad), Bad),
            _ => throw Bad("fields 'chosen' and 'rejected' must both be strings or both lists of {\"role\", \"content\"} objects"),
        };
        Require(chosen, Bad);
        Require(rejected, Bad);
        if (chosen.Turns.SequenceEqual(rejected.Turns))
            throw Bad("'chosen' and 'rejected' are the same completion: the pair states no preference");
        var id = RecordFields.Id(record, format.Mapping.Id, () => RecordFields.ContentId(prompt, chosen.Turns, rejected.Turns), Bad);
        var pair = PreferencePair.Of(id, prompt, chosen.Turns, rejected.Turns);
        var weight = RecordFields.Weight(record, Bad);
        // The pair's weight scales its DPO loss; each completion carries it, so the pair's chosen sample is where DPO reads it.
        return pair with { Chosen = pair.Chosen with { Weight = weight, Location = location }, Rejected = pair.Rejected with { Weight = weight, Location = location } };
    }

    /// <summary>Fixes the file's layout at its first record (<c>hh</c>, or the three others, any per record), or checks
    /// the record against it, or against the one <c>data_format</c> names.</summary>
    private void CheckLayout(string? shape, string location, Func<string, DataFormatException> bad)
    {
        if (shape is null)
            return; // mistyped fields: the read reports them
        var family = shape == PreferenceLayouts.Hh ? PreferenceLayouts.Hh : "chosen-rejected";
        if (format.IsPreferenceLayout)
        {
            _layout = format.Layout;
            if (shape != format.Layout)
                throw bad($"a '{shape}' record, but data_format names '{format.Layout}', which needs {PreferenceLayouts.Needs(format.Layout)}");
            return;
        }
        if (_layout is null)
        {
            (_layout, _detectedAt) = (family == PreferenceLayouts.Hh ? PreferenceLayouts.Hh : "pair-strings/trl-conversational/whole-conversations", location);
            return;
        }
        var fixedFamily = _layout == PreferenceLayouts.Hh ? PreferenceLayouts.Hh : "chosen-rejected";
        if (family != fixedFamily)
            throw bad($"a '{shape}' record in a file of layout '{_layout}' (detected from the first record, {_detectedAt}): one file holds one layout; " +
                $"it needs {(fixedFamily == PreferenceLayouts.Hh ? PreferenceLayouts.Needs(PreferenceLayouts.Hh) : "'prompt' with 'chosen' and 'rejected' strings, or lists of messages")}");
    }

    /// <summary>A completion's turns and where they came from: turn i is <c>Field[Offset + i]</c> of a list, or the
    /// field itself when <paramref name="Offset"/> is null (a string).</summary>
    private sealed record Completion(string Field, int? Offset, IReadOnlyList<ChatMessage> Turns)
    {
        public string Where(int i) => Offset is { } offset ? $"{Field}[{offset + i}]" : $"field '{Field}'";
    }

    private static (List<ChatMessage>, Completion, Completion) FromStrings(JsonObject record, Func<string, DataFormatException> bad)
    {
        var prompt = new List<ChatMessage>();
        if (record["system"] is not null)
            prompt.Add(new ChatMessage(ChatMessage.System, RecordFields.Text(record, "system", "record", bad)));
        prompt.Add(new ChatMessage(ChatMessage.User, RecordFields.Text(record, "prompt", "record", bad)));
        Completion Turn(string field) => new(field, null, [new ChatMessage(ChatMessage.Assistant, RecordFields.Text(record, field, "record", bad))]);
        return (prompt, Turn("chosen"), Turn("rejected"));
    }

    private static (List<ChatMessage>, Completion, Completion) FromExplicitPrompt(List<ChatMessage> prompt, JsonArray chosen, JsonArray rejected,
        Func<string, DataFormatException> bad)
    {
        if (prompt.Count == 0)
            throw bad("field 'prompt' is empty");
        if (prompt[^1].Role == ChatMessage.Assistant)
            throw bad($"prompt[{prompt.Count - 1}]: the prompt ends with an assistant turn; it must end with the turn the completions answer");
        Completion After(string field, JsonArray list)
        {
            var turns = RecordFields.Messages(list, field, bad);
            // Some exports repeat the prompt at the head of each completion; those turns are the prompt's, not scored.
            var repeats = turns.Count >= prompt.Count && turns.Take(prompt.Count).SequenceEqual(prompt);
            if (repeats && turns.Count == prompt.Count)
                throw bad($"field '{field}' repeats the prompt's turns and adds no completion");
            return repeats ? new Completion(field, prompt.Count, turns[prompt.Count..]) : new Completion(field, 0, turns);
        }
        return (prompt, After("chosen", chosen), After("rejected", rejected));
    }

    /// <summary>Whole conversations: the prompt is their shared leading turns up to the last non-assistant one, so
    /// each completion is the assistant turns that follow it.</summary>
    private static (List<ChatMessage>, Completion, Completion) FromConversations(JsonObject record, List<ChatMessage> chosen, List<ChatMessage> rejected,
        Func<string, DataFormatException> bad)
    {
        var shared = 0;
        while (shared < Math.Min(chosen.Count, rejected.Count) && chosen[shared] == rejected[shared])
            shared++;
        var length = chosen.Take(shared).ToList().FindLastIndex(m => m.Role != ChatMessage.Assistant) + 1;
        if (length == 0)
            throw bad("'chosen' and 'rejected' share no leading user or system turn, so there is no prompt: give 'prompt' as a list of messages, " +
                "or conversations that start with the same prompt turns");
        var prompt = chosen[..length];
        switch (record["prompt"])
        {
            case null:
                break;
            case JsonValue v when v.TryGetValue<string>(out var text):
                var user = prompt.FindLastIndex(m => m.Role == ChatMessage.User);
                if (user < 0 || prompt[user].Content != text)
                    throw bad(user < 0
                        ? "misaligned record: field 'prompt' is a string, but the turns 'chosen' and 'rejected' share hold no user turn"
                        : $"misaligned record: field 'prompt' is not the content of chosen[{user}], the last user turn 'chosen' and 'rejected' share");
                break;
            default:
                throw bad("field 'prompt' must be a string (the last shared user turn) or a list of messages");
        }
        return (prompt, new Completion("chosen", length, chosen[length..]), new Completion("rejected", length, rejected[length..]));
    }

    private static void Require(Completion completion, Func<string, DataFormatException> bad)
    {
        if (completion.Turns.Count == 0)
            throw bad($"field '{completion.Field}' holds no completion after the prompt");
        for (var i = 0; i < completion.Turns.Count; i++)
        {
            if (completion.Turns[i].Role != ChatMessage.Assistant)
                throw bad($"{completion.Where(i)}: role '{completion.Turns[i].Role}' after the prompt; a completion holds assistant turns only");
            if (string.IsNullOrWhiteSpace(completion.Turns[i].Content))
                throw bad($"{completion.Where(i)}: empty assistant response");
        }
    }
}
