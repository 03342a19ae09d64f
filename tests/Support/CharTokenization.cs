using PoFT.Text.Chat;
using PoFT.Shared.Data;

namespace PoFT.Tests.Support;

/// <summary>A character-level tokenization for testing scoring mechanics apart from real tokenizers:
/// token 1 opens, each character is one token, assistant characters from message ScoredFrom on are the response.</summary>
public static class CharTokenization
{
    public static Func<SftSample, TokenizedSample> For(int vocabSize) => sample =>
    {
        var ids = new List<int> { 1 };
        var mask = new List<bool> { false };
        foreach (var (index, message) in sample.Messages.Index())
            foreach (var c in message.Content)
            {
                ids.Add(2 + c % (vocabSize - 2));
                mask.Add(message.Role == ChatMessage.Assistant && index >= sample.ScoredFrom);
            }
        return new TokenizedSample(sample.Id, [.. ids], [.. mask]);
    };

    public static List<SftSample> Samples(int count, int seed)
    {
        var random = new Random(seed);
        string Text(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max)).Select(_ => (char)('a' + random.Next(26)))]);
        return [.. Enumerable.Range(0, count).Select(i => new SftSample($"s{i}", [
            new ChatMessage(ChatMessage.User, Text(1, 30)),
            new ChatMessage(ChatMessage.Assistant, Text(1, 40)),
        ]))];
    }
}
