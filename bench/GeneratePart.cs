using PoFT.Generation;
using PoFT.Trainer.Model;
using static TorchSharp.torch;

namespace PoFT.Bench;

/// <summary>
/// The generate part (opt-in: <c>--parts generate</c>): greedy decoding of a fixed number of new tokens after a prompt
/// of random ids, with the model's KV cache (each new token runs alone) and without (the whole sequence runs again for
/// every token), for the tiny preset and 100m (fresh seeded weights; no stop rule, so every answer has the same length).
/// The ratio is the cache's speed-up; tokens/s is new tokens over the median time.
/// </summary>
public static class GeneratePart
{
    public static void Run(BenchReport report)
    {
        var (prompt, newTokens) = report.Settings.Quick ? (8, 8) : (32, 32);
        foreach (var name in new[] { "tiny", "100m" })
        {
            var size = BenchSize.Parse(name);
            using var model = ModelCheckpoint.CreateFresh(size.Config, seed: 1);
            var random = new Random(3);
            int[] ids = [.. Enumerable.Range(0, prompt).Select(_ => random.Next(size.Config.VocabSize))];
            var never = new StopRule([], null, tokens => "");
            var options = SamplingOptions.Greedy(newTokens);
            var (cached, full) = report.Settings.Measurement.Interleave(
                () => Measurement.Seconds(() => new TokenGenerator(model).Generate(ids, options, never)),
                () => Measurement.Seconds(() => new TokenGenerator(model) { UseCache = false }.Generate(ids, options, never)));
            var what = $"{newTokens} new tokens after {prompt}";
            var withCache = report.Add("generate", $"generate.{name}.cache", $"{name}: {what}, KV cache ({newTokens / cached.Median:F1} tokens/s)", "s", cached);
            var without = report.Add("generate", $"generate.{name}.no-cache", $"{name}: {what}, full re-run per token ({newTokens / full.Median:F1} tokens/s)", "s", full);
            report.Compare($"generate.{name}.speedup", $"{name}: time without the cache / with it", without, withCache);
        }
    }
}
