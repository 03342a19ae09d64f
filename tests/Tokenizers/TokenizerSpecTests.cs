using PoFT.Shared.Manifest;
using System.Text.Json;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Support;

namespace PoFT.Tests.Tokenizers;

public class TokenizerSpecTests
{
    [Fact]
    public void SpecReadsSnakeCaseJson()
    {
        var spec = JsonSerializer.Deserialize<TokenizerSpec>(
            """{"kind": "tiktoken", "path": "x.tiktoken", "pattern": "\\s+", "special_tokens": {"<|endoftext|>": 5}, "eos_token": "<|endoftext|>"}""")!;
        Assert.Equal(TokenizerSpec.Tiktoken, spec.Kind);
        Assert.Equal("x.tiktoken", spec.Path);
        Assert.Equal(5, spec.SpecialTokens!["<|endoftext|>"]);
        Assert.Equal("<|endoftext|>", spec.EosToken);
    }

    [Fact]
    public void MissingFileIsAnErrorNamingFieldAndPath()
    {
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.HuggingFace, "nope/tokenizer.json"), RepoPaths.Assets));
        Assert.Contains("'path'", e.Message);
        Assert.Contains(Path.Combine(RepoPaths.Assets, "nope", "tokenizer.json"), e.Message);
    }

    [Fact]
    public void UnknownKindIsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => TokenizerLoader.Load(new TokenizerSpec("wordpiece", "x"), RepoPaths.Assets));
        Assert.Contains("'kind'", e.Message);
    }

    [Theory]
    [InlineData("""{"type": "WordPiece", "vocab": {}}""", "null", "model.type")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": []}""", """{"type": "NFKC"}""", "normalizer.type")]
    public void UnsupportedTokenizerJsonFieldIsNamed(string model, string normalizer, string field)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("tokenizer.json"),
            $$"""{"model": {{model}}, "normalizer": {{normalizer}}, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false}, "added_tokens": []}""");
        var e = Assert.Throws<FormatException>(() => TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.HuggingFace, "tokenizer.json"), dir.Path));
        Assert.Contains($"'{field}'", e.Message);
        Assert.Contains(dir.File("tokenizer.json"), e.Message);
    }

    [Fact]
    public void Cl100kBaseEncodesToPublishedIds()
    {
        var tokenizer = TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.Tiktoken, Encoding: "cl100k_base"), RepoPaths.Assets);
        Assert.Equal([9906, 1917], tokenizer.Encode("Hello world").Ids);
        Assert.Equal(100257, tokenizer.Eos!.Id);
        Assert.Equal("Hello world", tokenizer.Decode([9906, 1917]));
    }

    [Fact]
    public void A_model_directory_with_GPT2_files_under_either_name_loads_the_same_tokenizer()
    {
        using var dir = new TempDirectory();
        var gpt2 = Path.Combine(RepoPaths.Assets, "gpt2");
        File.Copy(Path.Combine(gpt2, "encoder.json"), dir.File("vocab.json"));
        File.Copy(Path.Combine(gpt2, "vocab.bpe"), dir.File("merges.txt"));
        var huggingFaceNames = TokenizerLoader.LoadFromModelDirectory(dir.Path);
        var openAiNames = TokenizerLoader.LoadFromModelDirectory(gpt2);
        const string text = "What does the word 'lexicon' mean?";
        Assert.Equal(openAiNames.Encode(text).Ids, huggingFaceNames.Encode(text).Ids);
        Assert.Equal(50256, huggingFaceNames.Eos!.Id);
    }

    [Fact]
    public void A_model_directory_without_tokenizer_files_is_an_error_listing_what_was_expected()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.LoadFromModelDirectory(dir.Path));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("vocab.json + merges.txt", e.Message);
    }
}
