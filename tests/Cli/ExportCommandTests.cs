using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>`poft export` as a user runs it: the graph variant flags reach the exporter, the variant written is
/// reported, and --verify holds it to TorchSharp.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(new string[0], "fused attention, LM head at the scored positions", true)]
    [InlineData(new[] { "--attention", "primitive", "--head", "all" }, "primitive attention, LM head at every position", false)]
    public async Task Export_writes_the_asked_graph_variant_and_verifies_it(string[] flags, string reported, bool hasScoreMask)
    {
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 3, tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(_temp.Sub("tokenizer")));
        var onnx = _temp.Sub("onnx");

        var result = await PoftProcess.Run(["export", "--checkpoint", checkpoint, "--out", onnx, "--verify", .. flags]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(reported, result.Output);
        Assert.Contains("max_rel_diff=", result.Output);
        var graph = PoFT.Exporter.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(onnx, ScoringGraph.ModelFile))).Graph;
        Assert.Equal(hasScoreMask, graph.Input.Any(i => i.Name == ScoringGraph.ScoreMask));
        Assert.Equal(reported.StartsWith("fused", StringComparison.Ordinal), graph.Node.Any(n => n.OpType == "GroupQueryAttention"));
    }

    [Fact]
    public async Task Fused_attention_for_a_head_size_its_kernel_cannot_take_is_refused_naming_the_flag()
    {
        var config = RandomCheckpoints.Build(hidden: 48, heads: 4, kvHeads: 2);
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt12"), config, seed: 3, tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(_temp.Sub("tokenizer")));

        var result = await PoftProcess.Run(["export", "--checkpoint", checkpoint, "--out", _temp.Sub("onnx12"), "--attention", "fused"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--attention fused", result.Error);
        Assert.Contains("head_dim", result.Error);
        Assert.False(File.Exists(Path.Combine(_temp.Sub("onnx12"), ScoringGraph.ModelFile)));
    }
}
