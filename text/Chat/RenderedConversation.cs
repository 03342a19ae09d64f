using PoFT.Shared.Data;

namespace PoFT.Text.Chat;

/// <summary>
/// A conversation rendered by its template, with the character spans the model is scored on: each assistant
/// message's content followed by the end-of-turn marker that closes it, one span per assistant message, in order.
/// </summary>
public sealed record RenderedConversation(string Text, IReadOnlyList<Range> ResponseSpans)
{
    /// <summary>The spans of the sample's assistant messages from <see cref="SftSample.ScoredFrom"/> on: those before
    /// it are context (a preference pair's earlier turns), rendered but not scored.</summary>
    public IEnumerable<Range> ScoredSpans(SftSample sample)
    {
        var assistants = sample.Messages.Count(m => m.Role == ChatMessage.Assistant);
        if (ResponseSpans.Count != assistants)
            throw new InvalidOperationException($"sample '{sample.Id}': {ResponseSpans.Count} response spans rendered for {assistants} assistant messages");
        return ResponseSpans.Skip(sample.Messages.Take(sample.ScoredFrom).Count(m => m.Role == ChatMessage.Assistant));
    }
}
