using PoFT.Shared.Manifest;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Support;
using Xunit.Abstractions;

namespace PoFT.Tests.Tokenizers;

/// <summary>
/// Each real tokenizer against Hugging Face's: the ids of about 200 varied strings must be equal, so must the text
/// those ids decode to, and each token's offsets must cover the text it stands for.
/// </summary>
public class HuggingFaceReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names() => ["llama3", "qwen3", "deepseek_v3", "mistral", "gemma3"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Ids_and_decoded_text_equal_Hugging_Face_s(string name) =>
        AssertEqualToHuggingFace(name, RealTokenizers.ByName(name), RepoPaths.Tokenizer(name), decodes: true);

    [Theory]
    // Metaspace as Mistral v0.3's and re-saved Llama-2 files have it (prepend_scheme "first", no split), and the
    // other schemes. tokenizers.js never splits at "▁" where tokenizers does (split: true), and decodes Metaspace
    // differently: MetaspaceTests check those against tokenizers' own examples.
    [InlineData("first")]
    [InlineData("always")]
    [InlineData("never")]
    public void Metaspace_pre_tokenizer_encodes_as_Hugging_Face_s(string prependScheme)
    {
        using var directory = new TempDirectory();
        var json = RealTokenizers.TokenizerJson("mistral");
        json["normalizer"] = null;
        json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = prependScheme, ["split"] = false };
        File.WriteAllText(directory.File("tokenizer.json"), json.ToJsonString());
        File.Copy(Path.Combine(RepoPaths.Tokenizer("mistral"), "tokenizer_config.json"), directory.File("tokenizer_config.json"));
        var tokenizer = TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.HuggingFace, "tokenizer.json"), directory.Path);
        AssertEqualToHuggingFace($"mistral with Metaspace({prependScheme})", tokenizer, directory.Path, decodes: false);
    }

    // The long runs among the strings would fill the failure message.
    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"… ({text.Length} characters)";

    private void AssertEqualToHuggingFace(string name, ModelTokenizer tokenizer, string directory, bool decodes)
    {
        var texts = ReferenceStrings.For(ControlTokens(JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "tokenizer.json")))!.AsObject()));
        var expected = HfReference.Encode(directory, texts);
        var ours = texts.Select(t => tokenizer.Encode(t).Ids).ToList();
        var differing = Enumerable.Range(0, texts.Count).Where(i => !expected[i].Ids.SequenceEqual(ours[i])).ToList();
        output.WriteLine($"{name}: {texts.Count - differing.Count}/{texts.Count} strings encode to Hugging Face's ids");
        Assert.True(differing.Count == 0, $"{name}: {differing.Count} of {texts.Count} strings differ, e.g. "
            + string.Join("; ", differing.Take(5).Select(i =>
                $"{Shorten(JsonSerializer.Serialize(texts[i]))}: HF [{Shorten(string.Join(", ", expected[i].Ids))}], ours [{Shorten(string.Join(", ", ours[i]))}]")));
        if (!decodes)
            return;
        var misdecoded = Enumerable.Range(0, texts.Count).Where(i => tokenizer.Decode(expected[i].Ids) != expected[i].Decoded).ToList();
        output.WriteLine($"{name}: {texts.Count - misdecoded.Count}/{texts.Count} decode to Hugging Face's text");
        Assert.True(misdecoded.Count == 0, $"{name}: {misdecoded.Count} of {texts.Count} decode differently, e.g. "
            + string.Join("; ", misdecoded.Take(5).Select(i =>
                $"{JsonSerializer.Serialize(texts[i])}: HF {JsonSerializer.Serialize(expected[i].Decoded)}, ours {JsonSerializer.Serialize(tokenizer.Decode(expected[i].Ids))}")));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Offsets_cover_the_text_each_token_stands_for(string name)
    {
        var json = RealTokenizers.TokenizerJson(name);
        var (tokenBytes, sourceBytes, prefix) = ByteViews(json);
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
                var source = sourceBytes(encoded.Text[start..end]);
                var bytes = tokenBytes[encoded.Ids[t]];
                // A token may begin with the "▁" a normalizer or Metaspace prepended: that one has no source text.
                var explained = Contains(source, bytes) || (bytes.AsSpan().StartsWith(prefix) && Contains(source, bytes[prefix.Length..]));
                Assert.True(explained, $"{name}: token {encoded.Ids[t]} of {JsonSerializer.Serialize(text)} has offsets {start}..{end}, text '{encoded.Text[start..end]}'");
            }
            Assert.True(covered.All(c => c), $"{name}: the tokens of {JsonSerializer.Serialize(text)} leave text uncovered");
        }
    }

    /// <summary>A sample of the tokenizer's added tokens, for the strings to hold some.</summary>
    internal static List<string> ControlTokens(JsonObject tokenizerJson)
    {
        var added = tokenizerJson["added_tokens"]!.AsArray().Select(t => t!["content"]!.GetValue<string>()).ToList();
        var step = Math.Max(1, added.Count / 40);
        return [.. added.Where((_, i) => i % step == 0)];
    }

    // Bytes to compare a token's text with the text its offsets point at, read from tokenizer.json. Byte-level
    // vocabularies: the bytes GPT-2's table spells, and the text's UTF-8. Byte-fallback ones: a <0xXX> token is
    // that byte, any other token its UTF-8, and the text's spaces count as the "▁" that stands for them.
    private static (Dictionary<int, byte[]> Tokens, Func<string, byte[]> Source, byte[] Prefix) ByteViews(JsonObject json)
    {
        var byteLevel = json["model"]!["byte_fallback"]?.GetValue<bool>() != true;
        var tokens = new Dictionary<int, byte[]>();
        foreach (var (token, id) in json["model"]!["vocab"]!.AsObject())
        {
            tokens[id!.GetValue<int>()] = byteLevel ? ByteLevelAlphabet.ToBytes(token)!
                : token is ['<', '0', 'x', _, _, '>'] ? [Convert.ToByte(token[3..5], 16)]
                : Encoding.UTF8.GetBytes(token);
        }
        foreach (var added in json["added_tokens"]!.AsArray())
            tokens[added!["id"]!.GetValue<int>()] = Encoding.UTF8.GetBytes(added["content"]!.GetValue<string>());
        return byteLevel
            ? (tokens, Encoding.UTF8.GetBytes, [])
            : (tokens, text => Encoding.UTF8.GetBytes(text.Replace(' ', '▁')), Encoding.UTF8.GetBytes("▁"));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
