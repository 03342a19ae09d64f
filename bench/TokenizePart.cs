using PoFT.Shared.Manifest;
using PoFT.Text.Tokenizers;

namespace PoFT.Bench;

/// <summary>
/// The tokenize part (opt-in: <c>--parts tokenize</c>; it reads the real tokenizers that scripts/fetch-assets.sh puts
/// in .cache/assets, or $POFT_ASSETS): encode time of one run without spaces (random lowercase letters: one
/// pre-token for byte-level BPE, one run for Llama-2's format) of 0.1, 0.4 and 1.6 MB, and of 1, 4 and 16 MB of
/// words, for each tokenizer kind the project merges itself — byte-level BPE (Qwen3) and BPE with byte fallback
/// (Mistral). Each run length ×4 costs ×4 where tokenizing is linear, ×16 where it is quadratic; a ratio per
/// step says which.
/// </summary>
public static class TokenizePart
{
    private const int MB = 1_000_000;

    public static void Run(BenchReport report)
    {
        var (runs, words) = report.Settings.Quick ? (new[] { 0.1, 0.4 }, new[] { 1.0 }) : (new[] { 0.1, 0.4, 1.6 }, new[] { 1.0, 4.0, 16.0 });
        foreach (var name in new[] { "qwen3", "mistral" })
        {
            var tokenizer = TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.HuggingFace, Path.Combine(Assets(), name, "tokenizer.json")), ".");
            Series(report, tokenizer, name, "run", "run without spaces", runs, Run);
            Series(report, tokenizer, name, "words", "of words", words, Words);
        }
    }

    private static void Series(BenchReport report, ModelTokenizer tokenizer, string name, string kind, string what,
        double[] sizes, Func<int, string> text)
    {
        Figure? previous = null;
        foreach (var megabytes in sizes)
        {
            var input = text((int)(megabytes * MB));
            var ids = 0;
            var stats = report.Settings.Measurement.Repeat(() => Measurement.Seconds(() => ids = tokenizer.Encode(input).Count));
            var figure = report.Add("tokenize", $"tokenize.{name}.{kind}.{megabytes}mb", $"{name}: encode {megabytes} MB {what} ({ids:N0} tokens)", "s", stats);
            if (previous is not null)
                report.Compare($"tokenize.{name}.{kind}.{megabytes}mb.ratio",
                    $"{name}: time of {megabytes} MB / {sizes[Array.IndexOf(sizes, megabytes) - 1]} MB {what} (linear: 4, quadratic: 16)", figure, previous);
            previous = figure;
        }
    }

    private static string Run(int length)
    {
        var random = new Random(1);
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
                span[i] = (char)('a' + r.Next(26));
        });
    }

    private static string Words(int length)
    {
        string[] vocabulary = ["the", "model", "scores", "each", "response", "token", "and", "learns", "from", "preference", "data", "in", "a", "stream", "of", "batches", "with", "reference", "log-probabilities", "training"];
        var random = new Random(2);
        var text = new System.Text.StringBuilder(length + 32);
        while (text.Length < length)
            text.Append(vocabulary[random.Next(vocabulary.Length)]).Append(random.Next(12) == 0 ? ".\n" : " ");
        return text.ToString(0, length);
    }

    // As scripts/fetch-assets.sh puts them: $POFT_ASSETS, or .cache/assets in the repository above the bench's binaries.
    private static string Assets()
    {
        if (Environment.GetEnvironmentVariable("POFT_ASSETS") is { Length: > 0 } assets)
            return assets;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (Directory.Exists(Path.Combine(directory.FullName, ".cache", "assets")))
                return Path.Combine(directory.FullName, ".cache", "assets");
        throw new DirectoryNotFoundException("the tokenize part reads the real tokenizers: run ./scripts/fetch-assets.sh (or set POFT_ASSETS)");
    }
}
