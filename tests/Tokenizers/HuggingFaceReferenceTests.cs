using System.Text;
using System.Text.Json.Nodes;
using PoFT.Shared.Tokenizers;
using PoFT.Tests.Support;
using Xunit.Abstractions;

namespace PoFT.Tests.Tokenizers;

/// <summary>
/// Each real tokenizer against Hugging Face's: the ids of about 200 varied strings must be equal, and each
/// token's offsets must cover the text it stands for.
/// </summary>
public class HuggingFaceReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names() => ["llama3", "qwen3", "deepseek_v3"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Ids_equal_Hugging_Face_s(string name)
    {
        var tokenizer = RealTokenizers.ByName(name);
        var texts = ReferenceStrings.For(ControlTokens(RealTokenizers.TokenizerJson(name)));
        var expected = HfReference.Encode(RepoPaths.Tokenizer(name), texts);
        var differing = Enumerable.Range(0, texts.Count).Where(i => !expected[i].SequenceEqual(tokenizer.Encode(texts[i]).Ids)).ToList();
        output.WriteLine($"{name}: {texts.Count - differing.Count}/{texts.Count} strings encode to Hugging Face's ids");
        Assert.True(differing.Count == 0, $"{name}: {differing.Count} of {texts.Count} strings differ, e.g. "
            + string.Join("; ", differing.Take(5).Select(i =>
                $"{System.Text.Json.JsonSerializer.Serialize(texts[i])}: HF [{string.Join(", ", expected[i])}], ours [{string.Join(", ", tokenizer.Encode(texts[i]).Ids)}]")));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Offsets_cover_the_text_each_token_stands_for(string name)
    {
        var json = RealTokenizers.TokenizerJson(name);
        var tokenBytes = TokenBytes(json);
        var tokenizer = RealTokenizers.ByName(name);
        foreach (var text in ReferenceStrings.For(ControlTokens(json)))
        {
            var encoded = tokenizer.Encode(text);
            var covered = new bool[encoded.Text.Length];
            for (var t = 0; t < encoded.Count; t++)
            {
                var (start, end) = (encoded.Starts[t], encoded.Ends[t]);
                Assert.InRange(start, t == 0 ? 0 : encoded.Starts[t - 1], encoded.Text.Length);
                Assert.InRange(end, start, encoded.Text.Length);
                Array.Fill(covered, true, start, end - start);
                var source = Encoding.UTF8.GetBytes(encoded.Text[start..end]);
                var bytes = tokenBytes(encoded.Ids[t]);
                // A token may begin with the space a normalizer or Metaspace prepended: it has no source text.
                var explained = Contains(source, bytes) || (bytes.Length > 0 && bytes[0] == (byte)' ' && Contains(source, bytes[1..]));
                Assert.True(explained, $"{name}: token {encoded.Ids[t]} of {System.Text.Json.JsonSerializer.Serialize(text)} has offsets {start}..{end}, text '{encoded.Text[start..end]}'");
            }
            Assert.True(covered.All(c => c), $"{name}: the tokens of {System.Text.Json.JsonSerializer.Serialize(text)} leave text uncovered");
        }
    }

    /// <summary>A sample of the tokenizer's added tokens, for the strings to hold some.</summary>
    internal static List<string> ControlTokens(JsonObject tokenizerJson)
    {
        var added = tokenizerJson["added_tokens"]!.AsArray().Select(t => t!["content"]!.GetValue<string>()).ToList();
        var step = Math.Max(1, added.Count / 40);
        return [.. added.Where((_, i) => i % step == 0)];
    }

    // The UTF-8 bytes each id stands for, read from tokenizer.json: added tokens as written, byte-level
    // vocabularies through GPT-2's byte table, byte-fallback ones with <0xXX> as that byte and ▁ as a space.
    private static Func<int, byte[]> TokenBytes(JsonObject json)
    {
        var byteLevel = json.ToJsonString().Contains("\"ByteLevel\"", StringComparison.Ordinal);
        var tokens = new Dictionary<int, byte[]>();
        foreach (var (token, id) in json["model"]!["vocab"]!.AsObject())
        {
            tokens[id!.GetValue<int>()] = byteLevel ? ByteLevelAlphabet.ToBytes(token)!
                : token is ['<', '0', 'x', _, _, '>'] ? [Convert.ToByte(token[3..5], 16)]
                : Encoding.UTF8.GetBytes(token.Replace('▁', ' '));
        }
        foreach (var added in json["added_tokens"]!.AsArray())
            tokens[added!["id"]!.GetValue<int>()] = Encoding.UTF8.GetBytes(added["content"]!.GetValue<string>());
        return id => tokens[id];
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
