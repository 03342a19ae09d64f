using PoFT.Shared.Data;

namespace PoFT.Text.Chat;

/// <summary>
/// A conversation rendered by its template, with the character spans the model is scored on: each assistant
/// message's content followed by the end-of-turn marker that closes it, one span per assistant message, in order.
/// </summary>
public sealed record RenderedConversation(string Text, IReadOnlyList<Range> ResponseSpans)
{
    /// <summary>The spans of the sample's response turns (<see cref="SftSample.IsResponse"/>): assistant messages before
    /// <see cref="SftSample.ScoredFrom"/> (a preference pair's earlier turns) and context turns (weight 0) are
    /// rendered but not scored.</summary>
    public IEnumerable<Range> ScoredSpans(SftSample sample)
    {
        var assistants = Enumerable.Range(0, sample.Messages.Count).Where(i => sample.Messages[i].Role == ChatMessage.Assistant).ToList();
        if (ResponseSpans.Count != assistants.Count)
            throw new InvalidOperationException($"sample '{sample.Id}': {ResponseSpans.Count} response spans rendered for {assistants.Count} assistant messages");
        return ResponseSpans.Where((_, k) => sample.IsResponse(assistants[k]));
    }
}
