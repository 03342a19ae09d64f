using PoFT.Shared.Data;

namespace PoFT.Text.Chat;

/// <summary>A conversation as a question to answer: its messages up to its last user turn, and the assistant turn that
/// follows as the reference answer (null where none follows). What <c>generate --data</c> answers and what an
/// evaluation's sample answers compare against.</summary>
public sealed record PromptToAnswer(string Id, IReadOnlyList<ChatMessage> Messages, string? Reference)
{
    /// <exception cref="InvalidSampleException">The sample has no user turn.</exception>
    public static PromptToAnswer Of(SftSample sample)
    {
        var lastUser = -1;
        for (var i = 0; i < sample.Messages.Count; i++)
            if (sample.Messages[i].Role == ChatMessage.User)
                lastUser = i;
        if (lastUser < 0)
            throw new InvalidSampleException(sample.Id, "no user turn to answer");
        var reference = sample.Messages.Skip(lastUser + 1).FirstOrDefault(m => m.Role == ChatMessage.Assistant)?.Content;
        return new PromptToAnswer(sample.Id, [.. sample.Messages.Take(lastUser + 1)], reference);
    }
}
