using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Support;

namespace PoFT.Tests.Tokenizers;

/// <summary>A minimal tokenizer.json with byte_fallback in Llama-2's format, and the fields it refuses, each named.</summary>
public class ByteFallbackFileTests
{
    // Llama-2's shape: Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer, ByteFallback decoding.
    private static JsonObject Minimal()
    {
        var vocab = new JsonObject { ["<unk>"] = 0 };
        for (var b = 0; b < 256; b++)
            vocab[ByteFallbackBpeTokenizer.ByteToken((byte)b)] = b + 1;
        foreach (var (token, id) in new[] { ("a", 257), ("b", 258), ("ab", 259), ("▁", 260), ("▁ab", 261) })
            vocab[token] = id;
        return (JsonObject)JsonNode.Parse($$$"""
            {"model": {"type": "BPE", "byte_fallback": true, "unk_token": "<unk>", "vocab": {{{vocab.ToJsonString()}}}, "merges": ["a b", "▁ ab"]},
             "added_tokens": [{"id": 0, "content": "<unk>", "special": true, "normalized": false}],
             "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
             "pre_tokenizer": null,
             "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}}
            """)!;
    }

    private static ModelTokenizer Load(TempDirectory directory, JsonObject json)
    {
        File.WriteAllText(directory.File("tokenizer.json"), json.ToJsonString());
        return TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.HuggingFace, "tokenizer.json"), directory.Path);
    }

    [Fact]
    public void Unknown_characters_become_their_bytes_and_offsets_stay_in_the_text_as_given()
    {
        using var directory = new TempDirectory();
        var tokenizer = Load(directory, Minimal());
        var encoded = tokenizer.Encode("ab é");
        // "▁ab▁é": the prepended "▁" merges with "ab" and stands for its first character; é is not in the vocabulary.
        Assert.Equal("ab é", encoded.Text);
        Assert.Equal([261, 260, 0xC3 + 1, 0xA9 + 1], encoded.Ids);
        Assert.Equal([0, 2, 3, 3], encoded.Starts);
        Assert.Equal([2, 3, 4, 4], encoded.Ends);
        Assert.Equal("ab é", tokenizer.Decode(encoded.Ids));
    }

    public static TheoryData<string, Action<JsonObject>, string> Refused() => new()
    {
        { "a missing byte token", j => j["model"]!["vocab"]!.AsObject().Remove("<0x41>"), "field 'model.vocab' is not supported (expected the 256 byte tokens <0x00> … <0xFF> with byte_fallback; '<0x41>' is missing)" },
        { "a merge of a byte token", j => j["model"]!["merges"]!.AsArray().Add("<0x41> a"), "field 'model.merges[2]'" },
        { "ignore_merges", j => j["model"]!["ignore_merges"] = true, "field 'model.ignore_merges'" },
        { "a normalized added token", j => j["added_tokens"]![0]!["normalized"] = true, "field 'added_tokens[0].normalized'" },
        { "an NFC normalizer", j => j["normalizer"] = new JsonObject { ["type"] = "NFC" }, "field 'normalizer.type'" },
        { "a ByteLevel pre-tokenizer", j => j["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel" }, "field 'pre_tokenizer.type'" },
        { "an unknown prepend scheme", j => j["pre_tokenizer"] = JsonNode.Parse("""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "sometimes"}"""), "field 'pre_tokenizer.prepend_scheme'" },
        { "add_prefix_space false with a prepending scheme", j => j["pre_tokenizer"] = JsonNode.Parse("""{"type": "Metaspace", "replacement": "▁", "add_prefix_space": false}"""), "field 'pre_tokenizer.add_prefix_space'" },
        { "a byte-level decoder", j => j["decoder"] = new JsonObject { ["type"] = "ByteLevel" }, "field 'decoder.type'" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_field_it_cannot_reproduce_is_an_error_naming_file_and_field(string what, Action<JsonObject> change, string expected)
    {
        using var directory = new TempDirectory();
        var json = Minimal();
        change(json);
        var error = Assert.Throws<FormatException>(() => Load(directory, json));
        Assert.True(error.Message.Contains(directory.File("tokenizer.json"), StringComparison.Ordinal) && error.Message.Contains(expected, StringComparison.Ordinal),
            $"{what}: {error.Message}");
    }
}
