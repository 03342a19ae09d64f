using System.Text.Json.Nodes;
using PoFT.Text.Tokenizers;

namespace PoFT.Tests.Tokenizers;

/// <summary>
/// tokenizer.json decoders, on the examples of Hugging Face tokenizers' own tests. Metaspace is tokenizers' and not
/// tokenizers.js's: the first token loses every "▁" unless prepend_scheme is "never" (tokenizers.js strips one space).
/// </summary>
public class HfDecoderTests
{
    private static string Decode(string decoder, params string[] tokens) =>
        HfDecoder.Read("tokenizer.json", JsonNode.Parse(decoder)).Decode(tokens);

    [Theory]
    [InlineData(new[] { "Hey", "friend!" }, "Heyfriend!")]
    [InlineData(new[] { "<0x61>" }, "a")]
    [InlineData(new[] { "<0xE5>" }, "\uFFFD")]
    [InlineData(new[] { "<0xE5>", "<0x8f>" }, "\uFFFD\uFFFD")]
    [InlineData(new[] { "<0xE5>", "<0x8f>", "<0xab>", "a" }, "叫a")]
    [InlineData(new[] { "<0xE5>", "<0x8f>", "a" }, "\uFFFD\uFFFDa")]
    public void ByteFallback_spells_bytes_or_one_replacement_character_per_byte(string[] tokens, string expected) =>
        Assert.Equal(expected, Decode("""{"type": "ByteFallback"}""", tokens));

    [Fact]
    public void Strip_removes_up_to_start_leading_and_stop_trailing_characters_of_each_token()
    {
        Assert.Equal("ey friend!HH", Decode("""{"type": "Strip", "content": "H", "start": 1, "stop": 0}""", "Hey", " friend!", "HHH"));
        Assert.Equal("He friend!", Decode("""{"type": "Strip", "content": "y", "start": 0, "stop": 1}""", "Hey", " friend!"));
    }

    [Theory]
    [InlineData("always", "Hey friend!")]
    [InlineData("never", " Hey friend!")]
    public void Metaspace_turns_replacement_characters_into_spaces(string prependScheme, string expected) =>
        Assert.Equal(expected, Decode($$"""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "{{prependScheme}}", "split": true}""", "▁Hey", "▁friend!"));

    [Fact]
    public void Llama2_s_sequence_strips_the_space_of_the_prepended_metaspace() =>
        Assert.Equal("Hello  world<0x>", Decode("""
            {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
              {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
            """, "▁Hello", "▁", "▁world", "<0x>"));

    [Fact]
    public void An_unsupported_decoder_is_an_error_naming_its_field()
    {
        var error = Assert.Throws<FormatException>(() => Decode("""{"type": "Sequence", "decoders": [{"type": "Fuse"}, {"type": "WordPiece"}]}"""));
        Assert.Contains("tokenizer.json: field 'decoder.decoders[1].type'", error.Message);
    }
}
