using System.Text.RegularExpressions;

namespace PoFT.Shared.Data;

/// <summary>
/// An Anthropic HH-RLHF transcript (<c>Anthropic/hh-rlhf</c>: <c>chosen</c> and <c>rejected</c> are each a whole
/// dialogue, <c>"\n\nHuman: …\n\nAssistant: …"</c>) split into turns: a turn starts at <c>"\n\nHuman:"</c> or
/// <c>"\n\nAssistant:"</c> (at the very start, without the blank line, too) and the one space after the colon; its
/// content runs to the next such marker, unchanged. Human turns are user turns, Assistant turns assistant turns.
/// </summary>
public static partial class HhTranscript
{
    [GeneratedRegex(@"(?:^|\n\n)(Human|Assistant): ?")]
    private static partial Regex Speaker();

    /// <summary>Whether the text starts as an HH transcript does.</summary>
    public static bool Is(string text) => text.StartsWith("\n\nHuman:", StringComparison.Ordinal) || text.StartsWith("Human:", StringComparison.Ordinal);

    internal static List<ChatMessage> Turns(string transcript, string field, Func<string, DataFormatException> bad)
    {
        var markers = Speaker().Matches(transcript);
        if (markers.Count == 0 || markers[0].Index != 0)
            throw bad($"field '{field}': an HH transcript starts with \"\\n\\nHuman: \"; this one starts {Quote(transcript[..Math.Min(30, transcript.Length)])}");
        var turns = new List<ChatMessage>(markers.Count);
        for (var i = 0; i < markers.Count; i++)
        {
            var start = markers[i].Index + markers[i].Length;
            var end = i + 1 < markers.Count ? markers[i + 1].Index : transcript.Length;
            turns.Add(new ChatMessage(markers[i].Groups[1].Value == "Human" ? ChatMessage.User : ChatMessage.Assistant, transcript[start..end]));
        }
        return turns;
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
