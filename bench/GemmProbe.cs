using Microsoft.ML.OnnxRuntime;
using PoFT.Exporter.Onnx;
using TorchSharp;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Bench;

/// <summary>
/// One fp32 GEMM [m, k] × [k, n] through each native library the project computes with: a one-node ONNX
/// MatMul graph whose right operand is an initializer (as model weights are, so MLAS may pre-pack it),
/// and torch.matmul (libtorch's BLAS). Its GFLOP/s is the ceiling model throughput is stated against.
/// </summary>
public sealed class GemmProbe : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly torch.Tensor _left;
    private readonly torch.Tensor _right;
    private readonly string _modelPath;
    private readonly RunOptions _runOptions = new();

    public long M { get; }
    public long K { get; }
    public long N { get; }
    public double Flops => 2.0 * M * K * N;

    public GemmProbe(long m, long k, long n, int threads)
    {
        (M, K, N) = (m, k, n);
        var random = new Random(1);
        float[] Values(long count) => [.. Enumerable.Range(0, (int)count).Select(_ => (float)random.NextDouble() - 0.5f)];
        var graph = new OnnxGraph("gemm");
        var a = graph.AddInput("a", DataType.Float, m, k);
        var weights = graph.AddInitializer("w", [k, n], () => Values(k * n));
        var y = graph.Node("MatMul", [a, weights], "y");
        graph.AddOutput(y, DataType.Float, m, n);
        _modelPath = Path.Combine(Path.GetTempPath(), $"poft-gemm-{Guid.NewGuid():N}.onnx");
        OnnxModelWriter.Write(graph, _modelPath, new Dictionary<string, long> { [""] = 17 }, externalDataFile: null);
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        // As the scorer's benchmark sessions (BenchModels.OpenOrt): spinning threads would slow libtorch's turn.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(_modelPath, options);
        _input = OrtValue.CreateTensorValueFromMemory(Values(m * k), [m, k]);
        _output = OrtValue.CreateTensorValueFromMemory(new float[m * n], [m, n]);
        _left = torch.rand(m, k) - 0.5;
        _right = torch.rand(k, n) - 0.5;
    }

    public double OrtSeconds() => Measurement.Seconds(() => _session.Run(_runOptions, ["a"], [_input], ["y"], [_output]));

    public double TorchSeconds() => Measurement.Seconds(() =>
    {
        using var product = torch.matmul(_left, _right);
    });

    public double GigaflopsPerSecond(double seconds) => Flops / seconds / 1e9;

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
        _input.Dispose();
        _output.Dispose();
        _left.Dispose();
        _right.Dispose();
        File.Delete(_modelPath);
    }
}
