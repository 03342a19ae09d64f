using PoFT.Shared.Manifest;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Support;

namespace PoFT.Tests.Tokenizers;

/// <summary>Malformed tokenizer files, each one file of a minimal set that loads: the error must name that file.</summary>
public class TokenizerFileErrorsTests
{
    private const string Gpt2Vocabulary = """{"a":0,"b":1,"ab":2,"<|endoftext|>":3}""";
    private const string Gpt2Merges = "#version: 0.2\na b\n";
    private const string HfTokenizer = """{"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]},"pre_tokenizer":{"type":"ByteLevel"}}""";
    private const string TiktokenRanks = "YQ== 0\nYg== 1\nYWI= 2\n";

    private static ModelTokenizer LoadWith(TempDirectory dir, string kind, string? file = null, string? content = null)
    {
        var files = kind switch
        {
            TokenizerSpec.Gpt2 => new Dictionary<string, string> { ["encoder.json"] = Gpt2Vocabulary, ["vocab.bpe"] = Gpt2Merges },
            TokenizerSpec.HuggingFace => new() { ["tokenizer.json"] = HfTokenizer },
            _ => new() { ["r.tiktoken"] = TiktokenRanks },
        };
        if (file is not null)
            files[file] = content!;
        foreach (var (name, text) in files)
            File.WriteAllText(dir.File(name), text);
        var spec = kind switch
        {
            TokenizerSpec.Gpt2 => new TokenizerSpec(kind, "."),
            TokenizerSpec.HuggingFace => new TokenizerSpec(kind, "tokenizer.json"),
            _ => new TokenizerSpec(kind, "r.tiktoken", Pattern: @"\S+"),
        };
        return TokenizerLoader.Load(spec, dir.Path);
    }

    [Theory]
    [InlineData(TokenizerSpec.Gpt2)]
    [InlineData(TokenizerSpec.HuggingFace)]
    [InlineData(TokenizerSpec.Tiktoken)]
    public void The_minimal_files_load(string kind)
    {
        using var dir = new TempDirectory();
        Assert.Equal([2], LoadWith(dir, kind).Encode("ab").Ids);
    }

    [Theory]
    [InlineData(TokenizerSpec.Gpt2, "vocab.bpe", "#version: 0.2\nab\n", "line 2: expected a merge \"left right\", found 'ab'")]
    [InlineData(TokenizerSpec.Gpt2, "vocab.bpe", "#version: 0.2\na b\na b c\n", "line 3:")]
    [InlineData(TokenizerSpec.Gpt2, "vocab.bpe", "#version: 0.2\nz q\n", "'z'")]
    [InlineData(TokenizerSpec.Gpt2, "encoder.json", """{"a":"x","b":1,"ab":2,"<|endoftext|>":3}""", "field 'a': expected an integer, found \"x\"")]
    [InlineData(TokenizerSpec.Gpt2, "encoder.json", """{"a":0,"a":1,"ab":2,"<|endoftext|>":3}""", "Duplicate property 'a'")]
    [InlineData(TokenizerSpec.Gpt2, "encoder.json", """{"a":1,"b":1,"ab":2,"<|endoftext|>":3}""", "same key")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":"x"},"merges":[]},"pre_tokenizer":{"type":"ByteLevel"}}""", "field 'model.vocab['a']'")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":0,"a":1},"merges":[]},"pre_tokenizer":{"type":"ByteLevel"}}""", "Duplicate property 'a'")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":0},"merges":["a q"]},"pre_tokenizer":{"type":"ByteLevel"}}""", "'q'")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":0},"merges":[],"byte_fallback":1},"pre_tokenizer":{"type":"ByteLevel"}}""", "field 'model.byte_fallback'")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":0},"merges":[],"dropout":"x"},"pre_tokenizer":{"type":"ByteLevel"}}""", "field 'model.dropout'")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"added_tokens":[{"id":"x","content":"<s>"}],"pre_tokenizer":{"type":"ByteLevel"}}""", "field 'added_tokens[0].id'")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"added_tokens":{"<s>":1},"pre_tokenizer":{"type":"ByteLevel"}}""", "field 'added_tokens'")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"ByteLevel"},"decoder":["ByteLevel"]}""", "field 'decoder.type'")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"ByteLevel"},"normalizer":"NFC"}""", "field 'normalizer.type'")]
    [InlineData(TokenizerSpec.HuggingFace, "tokenizer.json", """{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":"\\s+","behavior":"Isolated"},{"type":"ByteLevel","use_regex":false}]}}""", "field 'pre_tokenizer.pretokenizers[0].pattern'")]
    [InlineData(TokenizerSpec.Tiktoken, "r.tiktoken", "YQ== 0\nYg==\n", "Invalid format")]
    [InlineData(TokenizerSpec.Tiktoken, "r.tiktoken", "YQ== x\n", "integer")]
    [InlineData(TokenizerSpec.Tiktoken, "r.tiktoken", "!!! 0\n", "base64")]
    [InlineData(TokenizerSpec.Tiktoken, "r.tiktoken", "", "no ranks")]
    public void A_malformed_file_is_an_error_naming_it(string kind, string file, string content, string expected)
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<FormatException>(() => LoadWith(dir, kind, file, content));
        Assert.Contains(dir.File(file), error.Message);
        Assert.Contains(expected, error.Message);
    }
}
