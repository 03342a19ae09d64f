using PoFT.Shared.Data;

namespace PoFT.Cli.Demo;

/// <summary>The smoke demo's data: short arithmetic questions with exact answers, in disjoint splits.</summary>
public static class ArithmeticData
{
    public static (List<SftSample> Aligned, List<SftSample> Train, List<SftSample> Eval) Splits(int aligned, int train, int eval, int seed)
    {
        var random = new Random(seed);
        var all = new Dictionary<string, SftSample>();
        while (all.Count < aligned + train + eval)
        {
            var (a, b) = (random.Next(0, 30), random.Next(0, 30));
            var (op, value) = random.Next(3) switch { 0 => ("plus", a + b), 1 => ("minus", a - b), _ => ("times", a * b) };
            var id = $"{a}-{op}-{b}";
            all.TryAdd(id, new SftSample(id, [
                new ChatMessage(ChatMessage.User, $"What is {a} {op} {b}?"),
                new ChatMessage(ChatMessage.Assistant, $"{a} {op} {b} is {value}."),
            ]));
        }
        var samples = all.Values.ToList();
        return (samples[..aligned], samples[aligned..(aligned + train)], samples[(aligned + train)..]);
    }
}
