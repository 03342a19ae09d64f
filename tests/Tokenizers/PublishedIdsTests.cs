using System.Text.Json.Nodes;
using PoFT.Tests.Support;

namespace PoFT.Tests.Tokenizers;

/// <summary>Encodings checked against published ids and against the tokenizer files themselves.</summary>
public class PublishedIdsTests
{
    [Theory]
    [InlineData("llama3", new[] { 9906, 1917 })]
    [InlineData("qwen3", new[] { 9707, 1879 })]
    [InlineData("gpt2", new[] { 15496, 995 })]
    [InlineData("mistral", new[] { 22557, 1526 })]
    public void HelloWorldEncodesToPublishedIds(string name, int[] expected) =>
        Assert.Equal(expected, RealTokenizers.ByName(name).Encode("Hello world").Ids);

    [Theory]
    [InlineData("llama3", "<|begin_of_text|>", 128000)]
    [InlineData("llama3", "<|end_of_text|>", 128001)]
    [InlineData("llama3", "<|start_header_id|>", 128006)]
    [InlineData("llama3", "<|end_header_id|>", 128007)]
    [InlineData("llama3", "<|eot_id|>", 128009)]
    [InlineData("qwen3", "<|endoftext|>", 151643)]
    [InlineData("qwen3", "<|im_start|>", 151644)]
    [InlineData("qwen3", "<|im_end|>", 151645)]
    [InlineData("deepseek_v3", "<｜begin▁of▁sentence｜>", 0)]
    [InlineData("deepseek_v3", "<｜end▁of▁sentence｜>", 1)]
    [InlineData("mistral", "<s>", 1)]
    [InlineData("mistral", "</s>", 2)]
    [InlineData("gemma3", "<bos>", 2)]
    [InlineData("gemma3", "<start_of_turn>", 105)]
    [InlineData("gemma3", "<end_of_turn>", 106)]
    public void ControlTokensHavePublishedIdsAndTheFilesIds(string name, string token, int published)
    {
        var tokenizer = RealTokenizers.ByName(name);
        Assert.Equal(published, RealTokenizers.AddedTokenId(name, token));
        Assert.Equal(published, tokenizer.TokenId(token));
        Assert.Equal([published], tokenizer.Encode(token).Ids);
    }

    [Fact]
    public void Gpt2EndOfTextIsTheEncoderFilesId()
    {
        var encoder = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Tokenizer("gpt2"), "encoder.json")))!;
        Assert.Equal(50256, encoder["<|endoftext|>"]!.GetValue<int>());
        Assert.Equal(50256, RealTokenizers.Gpt2.TokenId("<|endoftext|>"));
        Assert.Equal(50256, RealTokenizers.Gpt2.Eos!.Id);
        Assert.Equal(50257, RealTokenizers.Gpt2.VocabularySize);
    }

    [Fact]
    public void BosAndEosComeFromTokenizerConfig()
    {
        Assert.Equal(("<|begin_of_text|>", 128000), (RealTokenizers.Llama3.Bos!.Text, RealTokenizers.Llama3.Bos.Id));
        Assert.Equal(("<|end_of_text|>", 128001), (RealTokenizers.Llama3.Eos!.Text, RealTokenizers.Llama3.Eos.Id));
        Assert.Null(RealTokenizers.Qwen3.Bos);
        Assert.Equal(("<|im_end|>", 151645), (RealTokenizers.Qwen3.Eos!.Text, RealTokenizers.Qwen3.Eos.Id));
        Assert.Equal(128256, RealTokenizers.Llama3.VocabularySize);
        // DeepSeek-V3's tokenizer_config.json writes them as {"content": ...} objects.
        Assert.Equal(("<｜begin▁of▁sentence｜>", 0), (RealTokenizers.DeepSeekV3.Bos!.Text, RealTokenizers.DeepSeekV3.Bos.Id));
        Assert.Equal(("<｜end▁of▁sentence｜>", 1), (RealTokenizers.DeepSeekV3.Eos!.Text, RealTokenizers.DeepSeekV3.Eos.Id));
        Assert.Equal(("<s>", 1), (RealTokenizers.Mistral.Bos!.Text, RealTokenizers.Mistral.Bos.Id));
        Assert.Equal(("</s>", 2), (RealTokenizers.Mistral.Eos!.Text, RealTokenizers.Mistral.Eos.Id));
        Assert.Equal(("<bos>", 2), (RealTokenizers.Gemma3.Bos!.Text, RealTokenizers.Gemma3.Bos.Id));
        Assert.Equal(("<end_of_turn>", 106), (RealTokenizers.Gemma3.Eos!.Text, RealTokenizers.Gemma3.Eos.Id));
        Assert.Equal(32000, RealTokenizers.Mistral.VocabularySize);
        Assert.Equal(262145, RealTokenizers.Gemma3.VocabularySize);
    }

    [Theory]
    [InlineData("llama3", "Hello")]
    [InlineData("llama3", "Ġworld")]
    [InlineData("llama3", "Ġtokenizer")]
    [InlineData("qwen3", "Hello")]
    [InlineData("qwen3", "Ġworld")]
    public void VocabularyWordsEncodeToTheirVocabularyId(string name, string vocabToken)
    {
        var vocab = RealTokenizers.TokenizerJson(name)["model"]!["vocab"]!;
        var text = vocabToken.Replace('Ġ', ' ');
        Assert.Equal([vocab[vocabToken]!.GetValue<int>()], RealTokenizers.ByName(name).Encode(text).Ids);
    }

    [Theory]
    [InlineData(" việc")]
    [InlineData(" nhiều")]
    [InlineData("ektedir")]
    public void Llama3PreTokensInTheVocabularyAreNotSplitByMerges(string text)
    {
        // Llama-3 sets ignore_merges: these words are vocabulary entries that its merges alone would split.
        var tokenizer = RealTokenizers.Llama3;
        var ids = tokenizer.Encode(text).Ids;
        Assert.Single(ids);
        Assert.Equal(text, tokenizer.Decode(ids));
    }
}
