using System.Text;

namespace PoFT.Text.Chat;

/// <summary>Appends template text and responses, recording where each response lies.</summary>
internal sealed class ConversationWriter
{
    private readonly StringBuilder _text = new();
    private readonly List<Range> _responses = [];

    public ConversationWriter Prompt(string text)
    {
        _text.Append(text);
        return this;
    }

    /// <summary>Appends a response and the end-of-turn marker that closes it; both are scored.</summary>
    public ConversationWriter Response(string content, string endOfTurn)
    {
        var start = _text.Length;
        _text.Append(content).Append(endOfTurn);
        _responses.Add(start.._text.Length);
        return this;
    }

    public RenderedConversation ToConversation() => new(_text.ToString(), _responses);
}
