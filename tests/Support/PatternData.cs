using PoFT.Shared.Data;

namespace PoFT.Tests.Support;

/// <summary>Samples a tiny model can learn in a few steps: the response spells the prompt's letters
/// in a fixed pattern, so held-out cross-entropy falls measurably when training works.</summary>
public static class PatternData
{
    public static List<SftSample> Make(int count, int seed, string prefix)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var prompt = new string([.. Enumerable.Range(0, random.Next(3, 8)).Select(_ => (char)('a' + random.Next(6)))]);
            var response = string.Concat(prompt.Select(c => $"{c}{c}."));
            return new SftSample($"{prefix}{i}", [new ChatMessage(ChatMessage.User, prompt), new ChatMessage(ChatMessage.Assistant, response)]);
        })];
    }
}
