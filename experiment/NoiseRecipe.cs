using PoFT.Shared.Data;

namespace PoFT.Experiment;

/// <summary>
/// The paper's hand-crafted noise (Figure 3d/e): each instruction gets the response of another, randomly
/// matched sample, whose characters are then corrupted by random insertion, deletion and substitution.
/// Noise samples are marked <see cref="SftSample.IsNoise"/>.
/// </summary>
public static class NoiseRecipe
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 ";

    public static List<SftSample> Make(IReadOnlyList<SftSample> clean, int count, double corruption, Random random)
    {
        var noise = new List<SftSample>(count);
        for (var i = 0; i < count; i++)
        {
            var promptIndex = random.Next(clean.Count);
            // The response comes from another sample: a randomly matched pair, as in the paper.
            var donorIndex = clean.Count < 2 ? promptIndex : (promptIndex + 1 + random.Next(clean.Count - 1)) % clean.Count;
            var (prompt, donor) = (clean[promptIndex], clean[donorIndex]);
            var messages = prompt.Messages.Select(m => m.Role == ChatMessage.Assistant
                ? m with { Content = Corrupt(donor.Messages.Last(d => d.Role == ChatMessage.Assistant).Content, corruption, random) }
                : m).ToList();
            noise.Add(new SftSample($"noise-{i}", messages, IsNoise: true));
        }
        return noise;
    }

    private static string Corrupt(string text, double rate, Random random)
    {
        var chars = new List<char>(text.Length + 8);
        foreach (var c in text)
        {
            var roll = random.NextDouble();
            if (roll < rate / 3)
                continue;
            if (roll < 2 * rate / 3)
                chars.Add(Alphabet[random.Next(Alphabet.Length)]);
            else
                chars.Add(c);
            if (roll >= 2 * rate / 3 && roll < rate)
                chars.Add(Alphabet[random.Next(Alphabet.Length)]);
        }
        return chars.Count == 0 ? text : new string([.. chars]);
    }
}
