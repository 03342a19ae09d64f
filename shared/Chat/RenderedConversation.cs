namespace PoFT.Shared.Chat;

/// <summary>
/// A conversation rendered by its template, with the character spans the model is scored on: each assistant
/// message's content followed by the end-of-turn marker that closes it.
/// </summary>
public sealed record RenderedConversation(string Text, IReadOnlyList<Range> ResponseSpans);
