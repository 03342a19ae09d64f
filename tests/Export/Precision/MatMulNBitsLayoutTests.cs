using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PoFT.Exporter.Onnx;
using PoFT.Exporter.Precision;
using PoFT.Tests.Support;
using static PoFT.Exporter.Onnx.OnnxAttributes;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Tests.Export.Precision;

/// <summary>
/// The independent check of <see cref="BlockQuantizer"/>'s layout: ONNX Runtime's own MatMulNBits kernel on
/// our B, scales and zero points must compute what a plain MatMul computes with our dequantized weights. If
/// the packing, the scale order or the zero-point packing disagreed with ORT's, the two would differ by the
/// size of the weights, not by rounding.
/// </summary>
public sealed class MatMulNBitsLayoutTests : IDisposable
{
    private const int M = 6;
    // Measured: exactly 0 on the CPU provider (MLAS dequantizes the blocks and runs its own fp32 GEMM); the
    // bound leaves room for a kernel that sums in another order.
    private const float Tolerance = 1e-4f;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(4, 16, 40, 5)]
    [InlineData(4, 32, 96, 7)]
    [InlineData(4, 64, 64, 3)]
    [InlineData(8, 16, 40, 5)]
    [InlineData(8, 32, 96, 7)]
    public void Onnx_runtime_reads_our_layout_as_the_dequantized_matrix(int bits, int blockSize, int k, int n)
    {
        var (q, dequantized, input) = Case(bits, blockSize, k, n);

        var difference = MaxAbs(RunNBits(q, input), RunMatMul(dequantized, k, n, input));

        Assert.True(difference <= Tolerance, $"MatMulNBits vs MatMul of the dequantized weights: {difference}");
    }

    public static readonly TheoryData<string> Faults = new() { "nibbles swapped", "scales transposed", "zero points unpacked" };

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_layout_fault_is_far_outside_the_tolerance(string fault)
    {
        var (q, dequantized, input) = Case(bits: 4, blockSize: 16, k: 48, n: 5);
        var broken = fault switch
        {
            "nibbles swapped" => QuantizedCheckpoints.SwapNibbles(q),
            "scales transposed" => q with { Scales = [.. Enumerable.Range(0, q.Scales.Length).Select(i => q.Scales[i % q.Rows * q.BlocksPerRow + i / q.Rows])] },
            "zero points unpacked" => q with { ZeroPoints = [.. BlockQuantizer.Dequantize(q).Select(_ => (byte)8).Take(q.ZeroPoints.Length)] },
            _ => throw new ArgumentException(fault),
        };

        var difference = MaxAbs(RunNBits(broken, input), RunMatMul(dequantized, 48, 5, input));

        Assert.True(difference > 100 * Tolerance, $"{fault}: only {difference} off");
    }

    private static (QuantizedMatrix Q, float[] Dequantized, float[] Input) Case(int bits, int blockSize, int k, int n)
    {
        var random = new Random(bits * 1000 + blockSize + k);
        var weights = Enumerable.Range(0, n * k).Select(i => (float)(random.NextDouble() * 2 - 1 + (i % 3 - 1) * 0.5)).ToArray();
        var q = BlockQuantizer.Quantize(weights, n, k, bits, blockSize);
        var input = Enumerable.Range(0, M * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return (q, BlockQuantizer.Dequantize(q), input);
    }

    private float[] RunNBits(QuantizedMatrix q, float[] input)
    {
        var g = new OnnxGraph("matmul_nbits");
        var a = g.AddInput("A", DataType.Float, M, q.Columns);
        var b = g.AddInitializer("B", DataType.Uint8, [q.Rows, q.BlocksPerRow, q.BlobBytes], () => q.Packed);
        var scales = g.AddInitializer("scales", [q.Scales.Length], () => q.Scales);
        var zeroPoints = g.AddInitializer("zero_points", DataType.Uint8, [q.ZeroPoints.Length], () => q.ZeroPoints);
        var y = g.Node("MatMulNBits", [a, b, scales, zeroPoints], ["Y"],
            [Int("K", q.Columns), Int("N", q.Rows), Int("bits", q.Bits), Int("block_size", q.BlockSize)], OnnxDomains.Microsoft)[0];
        g.AddOutput(y, DataType.Float, M, q.Rows);
        return Run(g, input, q.Columns);
    }

    private float[] RunMatMul(float[] dequantized, int k, int n, float[] input)
    {
        var g = new OnnxGraph("matmul");
        var a = g.AddInput("A", DataType.Float, M, k);
        // [N, K] as quantized, transposed to MatMul's [K, N].
        var w = g.AddInitializer("W", [k, n], () => [.. Enumerable.Range(0, k * n).Select(i => dequantized[i % n * k + i / n])]);
        g.AddOutput(g.Node("MatMul", [a, w], "Y"), DataType.Float, M, n);
        return Run(g, input, k);
    }

    private float[] Run(OnnxGraph graph, float[] input, int k)
    {
        var path = _temp.File($"{graph.Proto.Name}.onnx");
        OnnxModelWriter.Write(graph, path, OnnxDomains.Opsets, externalDataFile: null);
        using var session = new InferenceSession(path);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("A", new DenseTensor<float>(input, [M, k]))]);
        return [.. results[0].AsTensor<float>()];
    }

    private static float MaxAbs(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
}
