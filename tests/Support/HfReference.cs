using System.Diagnostics;
using System.Text.Json;

namespace PoFT.Tests.Support;

/// <summary>
/// Hugging Face's own encodings, from its JavaScript tokenizers (tests/reference, installed by
/// scripts/fetch-assets.sh): the ids of each string, without the post-processor's special tokens, and the text
/// they decode to.
/// </summary>
public static class HfReference
{
    public sealed record Encoding(int[] Ids, string Decoded);

    private static string Directory => Path.Combine(RepoPaths.Root, "tests", "reference");

    /// <param name="tokenizerDirectory">A directory with tokenizer.json and tokenizer_config.json.</param>
    public static Encoding[] Encode(string tokenizerDirectory, IReadOnlyList<string> texts)
    {
        if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules")))
            throw new DirectoryNotFoundException($"{Directory}/node_modules missing: run ./scripts/fetch-assets.sh (it runs npm ci there)");
        using var temp = new TempDirectory();
        var strings = temp.File("strings.json");
        File.WriteAllText(strings, JsonSerializer.Serialize(texts));
        var start = new ProcessStartInfo("node", [Path.Combine(Directory, "encode.mjs"), tokenizerDirectory, strings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var error = node.StandardError.ReadToEndAsync();
        var output = node.StandardOutput.ReadToEnd();
        node.WaitForExit();
        if (node.ExitCode != 0)
            throw new InvalidOperationException($"node encode.mjs {tokenizerDirectory} exited with {node.ExitCode}: {error.Result}");
        var encodings = JsonSerializer.Deserialize<Encoding[]>(output, JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException("node encode.mjs printed nothing");
        return encodings.Length == texts.Count ? encodings
            : throw new InvalidOperationException($"node encode.mjs encoded {encodings.Length} of {texts.Count} strings");
    }
}
