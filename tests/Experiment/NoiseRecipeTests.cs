using PoFT.Experiment;
using PoFT.Shared.Data;

namespace PoFT.Tests.Experiment;

public class NoiseRecipeTests
{
    private static readonly List<SftSample> Clean = [.. Enumerable.Range(0, 50).Select(i => new SftSample($"s{i}",
        [new ChatMessage(ChatMessage.User, $"What does the word 'w{i}' mean?"),
         new ChatMessage(ChatMessage.Assistant, RandomText(new Random(i), 80))]))];

    // Responses far apart from one another, so that the nearest clean response to a corrupted one is its donor.
    private static string RandomText(Random random, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => "abcdefghijklmnopqrstuvwxyz     "[random.Next(31)])]);

    [Fact]
    public void Noise_pairs_an_instruction_with_another_samples_corrupted_response_and_is_marked()
    {
        var noise = NoiseRecipe.Make(Clean, count: 200, corruption: 0.1, new Random(3));

        Assert.Equal(200, noise.Count);
        Assert.All(noise, n => Assert.True(n.IsNoise));
        Assert.Equal(200, noise.Select(n => n.Id).Distinct().Count());
        var changed = 0.0;
        foreach (var n in noise)
        {
            var prompt = Clean.Single(c => c.Messages[0].Content == n.Messages[0].Content);
            var response = n.Messages[1].Content;
            var distances = Clean.Select(c => (Sample: c, Distance: Levenshtein(c.Messages[1].Content, response))).OrderBy(x => x.Distance).ToList();
            // The closest clean response is the donor's, and the donor is never the prompt's own sample.
            Assert.NotEqual(prompt.Id, distances[0].Sample.Id);
            changed += (double)distances[0].Distance / distances[0].Sample.Messages[1].Content.Length;
        }
        // Each character is inserted after, deleted or substituted with probability 0.1 in all (a substitution can
        // draw the same character, an insertion adds one edit): about 0.1 edits per character on average.
        Assert.InRange(changed / noise.Count, 0.07, 0.12);
    }

    [Fact]
    public void The_same_seed_gives_the_same_noise_and_another_seed_other_noise()
    {
        string Text(int seed) => string.Join("|", NoiseRecipe.Make(Clean, 20, 0.1, new Random(seed)).SelectMany(n => n.Messages.Select(m => m.Content)));
        Assert.Equal(Text(1), Text(1));
        Assert.NotEqual(Text(1), Text(2));
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
