using PoFT.Checkpoints;
using PoFT.Tests.Support;
using static PoFT.Tests.Checkpoints.ModelConfigTests;

namespace PoFT.Tests.Checkpoints;

public class ConfigLimitsTests
{
    private static string With(string field, long value) => Edit(Llama31, o => o[field] = value);

    [Theory]
    [InlineData("num_hidden_layers", 1_000_000_000L, ConfigLimits.MaxLayers)]
    [InlineData("vocab_size", 1L << 40, ConfigLimits.MaxVocabSize)]
    [InlineData("intermediate_size", 1L << 31, ConfigLimits.MaxIntermediateSize)]
    [InlineData("hidden_size", 1L << 20, ConfigLimits.MaxHiddenSize)]
    [InlineData("num_attention_heads", 1L << 33, ConfigLimits.MaxAttentionHeads)]
    [InlineData("head_dim", 1L << 32, ConfigLimits.MaxHeadDim)]
    [InlineData("max_position_embeddings", 1L << 40, ConfigLimits.MaxPositionEmbeddings)]
    public void A_size_above_its_limit_is_an_error_naming_the_field_the_value_and_the_limit(string field, long value, long limit)
    {
        var error = Assert.Throws<CheckpointFormatException>(() => Parse(With(field, value)));
        Assert.Contains($"config.json: field '{field}': {value} exceeds the limit of {limit}", error.Message);
    }

    [Theory]
    [InlineData("num_hidden_layers", ConfigLimits.MaxLayers)]
    [InlineData("vocab_size", ConfigLimits.MaxVocabSize)]
    [InlineData("intermediate_size", ConfigLimits.MaxIntermediateSize)]
    [InlineData("max_position_embeddings", ConfigLimits.MaxPositionEmbeddings)]
    public void A_size_at_its_limit_is_accepted(string field, int limit) =>
        Assert.Equal(limit, Parse(With(field, limit)).ToJson()[field]!.GetValue<int>());

    [Fact]
    public void A_billion_layers_are_refused_before_anything_is_sized_from_them()
    {
        using var temp = new TempDirectory();
        var path = temp.File("config.json");
        File.WriteAllText(path, With("num_hidden_layers", 1_000_000_000));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<CheckpointFormatException>(() => ModelConfig.Load(path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Contains($"{path}: field 'num_hidden_layers'", error.Message);
    }

    [Fact]
    public void Sizes_each_within_bounds_whose_parameter_count_is_not_are_an_error()
    {
        var json = Edit(Llama31, o =>
        {
            o["hidden_size"] = ConfigLimits.MaxHiddenSize;
            o["intermediate_size"] = ConfigLimits.MaxIntermediateSize;
            o["num_hidden_layers"] = ConfigLimits.MaxLayers;
        });
        var error = Assert.Throws<CheckpointFormatException>(() => Parse(json));
        Assert.Contains($"above the limit of {ConfigLimits.MaxParameters}", error.Message);
        Assert.Contains("num_hidden_layers", error.Message);
    }
}
