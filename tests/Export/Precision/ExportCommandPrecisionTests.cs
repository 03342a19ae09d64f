using PoFT.Tests.Support;

namespace PoFT.Tests.Export.Precision;

/// <summary><c>poft export</c> with the precision options, as a user runs it.</summary>
public sealed class ExportCommandPrecisionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_int4_export_verifies_against_TorchSharp_within_its_own_tolerance()
    {
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 4, tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(_temp.Sub("tokenizer")));

        var result = await PoftProcess.Run(["export", "--checkpoint", checkpoint, "--out", _temp.Sub("onnx"), "--quantize", "int4", "--block-size", "16", "--verify"]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains(", int4/b16) in", result.Output);
        Assert.Contains("tolerance 2.5e-1 for int4/b16", result.Output);
    }

    [Fact]
    public async Task A_bad_block_size_fails_naming_the_option()
    {
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 4, tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(_temp.Sub("tokenizer")));

        var result = await PoftProcess.Run(["export", "--checkpoint", checkpoint, "--out", _temp.Sub("onnx"), "--quantize", "int8", "--block-size", "48"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: --block-size 48: must be a power of two ≥ 16", result.Error);
    }
}
