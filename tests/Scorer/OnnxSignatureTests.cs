using PoFT.Exporter.Onnx;
using PoFT.Scorer.Onnx;
using PoFT.Shared.Manifest;
using PoFT.Tests.Support;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Tests.Scorer;

public class OnnxSignatureTests
{
    private static string WriteIdentity(TempDirectory temp, string input, DataType inputType, string output)
    {
        var graph = new OnnxGraph("not-a-scorer");
        var x = graph.AddInput(input, inputType, "batch", "seq");
        graph.AddOutput(graph.Node("Identity", [x], output), inputType, "batch", "seq");
        var path = temp.File($"{input}-{output}.onnx");
        OnnxModelWriter.Write(graph, path, new Dictionary<string, long> { [""] = 17 }, externalDataFile: null);
        return path;
    }

    [Theory]
    [InlineData("tokens", DataType.Int64, "token_logprobs", "no input 'input_ids'")]
    [InlineData("input_ids", DataType.Int64, "scores", "no input 'attention_mask'")]
    public void A_model_without_the_scoring_signature_is_refused_naming_model_and_file(string input, DataType type, string output, string expected)
    {
        using var temp = new TempDirectory();
        var path = WriteIdentity(temp, input, type, output);
        var error = Assert.Throws<InvalidDataException>(() =>
            OrtTokenLogProbModel.Open("aligned-x", path, new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { }).Dispose());
        Assert.Contains("aligned model 'aligned-x'", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_file_that_is_not_ONNX_is_refused()
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.onnx");
        File.WriteAllText(path, "not a model");
        var error = Assert.Throws<InvalidDataException>(() =>
            OrtTokenLogProbModel.Open("aligned-y", path, new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { }).Dispose());
        Assert.Contains("cannot load", error.Message);
    }

    [Fact]
    public void Cuda_requested_without_cuda_falls_back_to_cpu_with_one_warning_or_fails_when_required()
    {
        using var temp = new TempDirectory();
        var path = WriteIdentity(temp, "input_ids", DataType.Int64, "token_logprobs");
        var warnings = new List<string>();
        var cuda = new ExecutionProviderSpec("cuda", 0);
        // The Identity graph lacks attention_mask, so opening fails after the provider is chosen; the
        // provider decision is what this test reads.
        Assert.Throws<InvalidDataException>(() => OrtTokenLogProbModel.Open("gpu-model", path, cuda, new OrtScoringOptions(), warnings.Add).Dispose());
        Assert.Single(warnings);
        Assert.Contains("CUDA requested but unavailable", warnings[0]);
        var error = Assert.Throws<InvalidOperationException>(() =>
            OrtTokenLogProbModel.Open("gpu-model", path, cuda, new OrtScoringOptions { RequireGpu = true }, _ => { }).Dispose());
        Assert.Contains("--require-gpu", error.Message);
    }
}
