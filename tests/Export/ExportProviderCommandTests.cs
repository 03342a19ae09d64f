using PoFT.Tests.Support;

namespace PoFT.Tests.Export;

/// <summary><c>poft export --provider</c> as a user runs it: what it writes, says and refuses.</summary>
public sealed class ExportProviderCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_fp16_CUDA_export_is_fused_and_verifies_against_TorchSharp_on_this_CPU()
    {
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gemma2-softcaps-window-3"), seed: 4, tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(_temp.Sub("tokenizer")));

        var result = await PoftProcess.Run(["export", "--checkpoint", checkpoint, "--out", _temp.Sub("onnx"), "--provider", "cuda", "--dtype", "fp16", "--verify"]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("for cuda (fused attention", result.Output);
        Assert.Contains("tolerance 2e-3 for fp16", result.Output);
    }

    [Fact]
    public async Task An_fp32_CUDA_export_takes_primitive_attention_with_a_note()
    {
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 4, tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(_temp.Sub("tokenizer")));

        var result = await PoftProcess.Run(["export", "--checkpoint", checkpoint, "--out", _temp.Sub("onnx"), "--provider", "cuda"]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("note: primitive attention: ONNX Runtime's cuda GroupQueryAttention cannot take this model", result.Output);
        Assert.Contains("for cuda (primitive attention", result.Output);
    }

    [Fact]
    public async Task Fused_attention_asked_of_an_fp32_CUDA_export_is_refused_in_one_line()
    {
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 4, tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(_temp.Sub("tokenizer")));
        var output = _temp.Sub("onnx");

        var result = await PoftProcess.Run(["export", "--checkpoint", checkpoint, "--out", output, "--provider", "cuda", "--attention", "fused"]);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: fused attention (--attention fused) for --provider cuda: its CUDA kernel is registered for float16 and bfloat16 only", error);
        Assert.False(File.Exists(Path.Combine(output, "model.onnx")));
    }
}
