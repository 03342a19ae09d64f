using PoFT.Checkpoints;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;

namespace PoFT.Tests.Model;

/// <summary><c>init-model</c>'s library side: a fresh checkpoint takes the tokenizer's id space and special
/// ids, and never overwrites a directory that holds something.</summary>
public class ModelInitializeTests
{
    [Fact]
    public void A_fresh_checkpoint_gets_the_tokenizers_vocabulary_and_special_ids()
    {
        using var temp = new TempDirectory();
        var config = ModelCheckpoint.Initialize(v => ModelConfig.Preset("tiny", v), RepoPaths.Tokenizer("llama3"), seed: 1, temp.File("model"));
        var tokenizer = PoFT.Text.Tokenizers.TokenizerLoader.LoadFromModelDirectory(RepoPaths.Tokenizer("llama3"));
        Assert.Equal(tokenizer.VocabularySize, config.VocabSize);
        Assert.Equal(tokenizer.Bos?.Id, config.BosTokenId);
        Assert.Equal([tokenizer.Eos!.Id], config.EosTokenIds);
        Assert.Equal(config.VocabSize, ModelConfig.Load(Path.Combine(temp.File("model"), Checkpoint.ConfigFile)).VocabSize);
    }

    [Fact]
    public void A_config_json_without_vocab_size_takes_the_tokenizers_and_its_bos_and_eos()
    {
        using var temp = new TempDirectory();
        var shape = ModelConfig.Preset("tiny", 1000).ToJsonString();
        var json = System.Text.Json.Nodes.JsonNode.Parse(shape)!.AsObject();
        json.Remove("vocab_size");
        File.WriteAllText(temp.File("config.json"), json.ToJsonString());
        var config = ModelCheckpoint.Initialize(v => ModelConfig.LoadForNewModel(temp.File("config.json"), v), RepoPaths.Tokenizer("llama3"), seed: 1, temp.File("model"));
        var tokenizer = PoFT.Text.Tokenizers.TokenizerLoader.LoadFromModelDirectory(RepoPaths.Tokenizer("llama3"));
        Assert.Equal(tokenizer.VocabularySize, config.VocabSize);
        Assert.Equal(tokenizer.Bos?.Id, config.BosTokenId);
        Assert.Equal([tokenizer.Eos!.Id], config.EosTokenIds);
    }

    [Fact]
    public void A_directory_that_holds_something_is_never_overwritten()
    {
        using var temp = new TempDirectory();
        var output = temp.Sub("model");
        File.WriteAllText(Path.Combine(output, "notes.txt"), "mine");
        var error = Assert.Throws<IOException>(() => ModelCheckpoint.Initialize(v => ModelConfig.Preset("tiny", v), RepoPaths.Tokenizer("llama3"), seed: 1, output));
        Assert.Contains(output, error.Message);
        Assert.Equal(["notes.txt"], Directory.GetFiles(output).Select(Path.GetFileName));
    }
}
