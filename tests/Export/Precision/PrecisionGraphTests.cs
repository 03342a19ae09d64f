using PoFT.Exporter;
using PoFT.Exporter.Onnx;
using PoFT.Exporter.Onnx.Proto;
using PoFT.Exporter.Precision;
using PoFT.Scorer.Onnx;
using PoFT.Checkpoints;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Tests.Export.Precision;

/// <summary>What each precision puts in the graph — checked on the file, so it holds also where the graph
/// cannot run here (bf16 on the CPU provider).</summary>
public sealed class PrecisionGraphTests : IDisposable
{
    private static readonly ModelConfig Config = RandomCheckpoints.Config("llama-bias-linear-rope-mha");
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(ExportQuantization.Int8, 8)]
    [InlineData(ExportQuantization.Int4, 4)]
    public void Quantization_turns_every_decoder_projection_into_MatMulNBits_and_imports_the_contrib_domain(ExportQuantization quantization, int bits)
    {
        var model = Export(new ExportPrecision { Quantize = quantization, BlockSize = 16 });

        var nbits = model.Graph.Node.Where(n => n.OpType == "MatMulNBits").ToList();
        Assert.Equal(4 * Config.NumHiddenLayers, nbits.Count); // qkv, o, gate_up, down
        Assert.All(nbits, n =>
        {
            Assert.Equal(OnnxDomains.Microsoft, n.Domain);
            Assert.Equal(bits, Attribute(n, "bits"));
            Assert.Equal(16, Attribute(n, "block_size"));
            Assert.Equal(DataType.Uint8, (DataType)Initializer(model, n.Input[1]).DataType);
            Assert.Equal(DataType.Float, (DataType)Initializer(model, n.Input[2]).DataType);
            Assert.Equal(DataType.Uint8, (DataType)Initializer(model, n.Input[3]).DataType);
            var b = Initializer(model, n.Input[1]);
            Assert.Equal([Attribute(n, "N"), (Attribute(n, "K") + 15) / 16, 16 * bits / 8], b.Dims);
        });
        // What is left as MatMul multiplies activations only (attention), never a weight.
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet();
        Assert.All(model.Graph.Node.Where(n => n.OpType == "MatMul"), n => Assert.DoesNotContain(n.Input, initializers.Contains));
        Assert.Contains(model.OpsetImport, o => o.Domain == OnnxDomains.Microsoft && o.Version == 1);
    }

    [Fact]
    public void An_fp32_export_has_no_precision_casts_and_no_quantized_projections()
    {
        var model = Export(ExportPrecision.Fp32);

        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Cast" && Attribute(n, "to") is (long)DataType.Float16 or (long)DataType.Bfloat16);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "MatMulNBits");
        Assert.All(model.Graph.Initializer, i => Assert.False((DataType)i.DataType is DataType.Float16 or DataType.Bfloat16 or DataType.Uint8, i.Name));
    }

    [Theory]
    [InlineData(ExportDtype.Fp16, DataType.Float16, AttentionKernel.Primitive)]
    [InlineData(ExportDtype.Bf16, DataType.Bfloat16, AttentionKernel.Primitive)]
    [InlineData(ExportDtype.Fp16, DataType.Float16, AttentionKernel.Fused)]
    [InlineData(ExportDtype.Bf16, DataType.Bfloat16, AttentionKernel.Fused)]
    public void Half_precision_stores_weights_in_it_and_keeps_norms_attention_and_log_probs_in_fp32(ExportDtype dtype, DataType type, AttentionKernel attention)
    {
        var model = Export(new ExportPrecision { Dtype = dtype }, attention);

        var byName = model.Graph.Initializer.ToDictionary(i => i.Name);
        Assert.Equal(type, (DataType)byName["model.embed_tokens.weight"].DataType);
        Assert.All(model.Graph.Node.Where(n => n.OpType == "MatMul" && n.Input.Any(byName.ContainsKey)),
            n => Assert.Equal(type, (DataType)byName[n.Input[1]].DataType));
        Assert.Equal(DataType.Float, (DataType)byName["model.norm.weight"].DataType);
        Assert.Equal(DataType.Float, (DataType)byName["model.layers.0.input_layernorm.weight"].DataType);
        Assert.Equal((int)DataType.Float, model.Graph.Output.Single(o => o.Name == ScoringGraph.TokenLogProbs).Type.TensorType.ElemType);

        // Every fp32 island starts at a Cast to fp32: RMSNorm's x² (ReduceMean ← Pow ← Cast), the softmax's
        // scores (Softmax ← Add bias ← Cast) or the fused kernel's q, k, v, and the log-softmax's logits
        // (LogSoftmax ← Cast).
        var producer = model.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        NodeProto From(NodeProto n, int input = 0) => producer[n.Input[input]];
        void IsCastToFloat(NodeProto n) => Assert.True(n.OpType == "Cast" && Attribute(n, "to") == (long)DataType.Float, $"{n.Name} ({n.OpType}) is not a Cast to fp32");
        var norms = model.Graph.Node.Where(n => n.OpType == "ReduceMean").ToList();
        Assert.Equal(2 * Config.NumHiddenLayers + 1, norms.Count);
        Assert.All(norms, n => IsCastToFloat(From(From(n))));
        var softmaxes = model.Graph.Node.Where(n => n.OpType == "Softmax").ToList();
        var fused = model.Graph.Node.Where(n => n.OpType == "GroupQueryAttention").ToList();
        Assert.Equal(Config.NumHiddenLayers, attention == AttentionKernel.Fused ? fused.Count : softmaxes.Count);
        Assert.All(softmaxes, n => IsCastToFloat(From(From(n))));
        Assert.All(fused, n => Assert.All([0, 1, 2], input => IsCastToFloat(From(n, input))));
        IsCastToFloat(From(model.Graph.Node.Single(n => n.OpType == "LogSoftmax")));
    }

    [Fact]
    public void Bf16_cannot_load_on_the_CPU_provider_and_says_which_kernel_is_missing_also_when_CUDA_was_asked_for()
    {
        var path = Path.Combine(ExportTo(new ExportPrecision { Dtype = ExportDtype.Bf16 }), ScoringGraph.ModelFile);
        var warnings = new List<string>();

        var cpu = Assert.Throws<InvalidDataException>(() => OrtTokenLogProbModel.Open("bf16", path, new ExecutionProviderSpec(), new OrtScoringOptions(), warnings.Add));
        var cuda = Assert.Throws<InvalidDataException>(() => OrtTokenLogProbModel.Open("bf16", path, new ExecutionProviderSpec("cuda"), new OrtScoringOptions(), warnings.Add));

        foreach (var e in new[] { cpu, cuda })
            Assert.Contains("Could not find an implementation for MatMul", e.Message);
        // The CPU package has no CUDA provider: the request is named and falls back before the load fails.
        Assert.Contains(warnings, w => w.Contains("CUDA requested but unavailable", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(24, ExportDtype.Fp32, ExportQuantization.Int4, "--block-size 24")]
    [InlineData(8, ExportDtype.Fp32, ExportQuantization.Int8, "--block-size 8")]
    [InlineData(32, ExportDtype.Fp16, ExportQuantization.Int4, "--quantize int4 needs --dtype fp32")]
    public void An_unexportable_precision_is_refused_naming_the_option(int blockSize, ExportDtype dtype, ExportQuantization quantization, string message)
    {
        var precision = new ExportPrecision { Dtype = dtype, Quantize = quantization, BlockSize = blockSize };

        var e = Assert.Throws<ArgumentException>(() => ExportTo(precision));

        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("--dtype", "fp8")]
    [InlineData("--quantize", "int3")]
    public void An_unknown_option_value_is_refused_naming_the_option(string option, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => option == "--dtype" ? (object)ExportPrecision.ParseDtype(value) : ExportPrecision.ParseQuantization(value));

        Assert.Contains($"{option} '{value}'", e.Message);
    }

    private ModelProto Export(ExportPrecision precision, AttentionKernel? attention = null) =>
        ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(ExportTo(precision, attention), ScoringGraph.ModelFile)));

    private string ExportTo(ExportPrecision precision, AttentionKernel? attention = null)
    {
        var checkpoint = RandomCheckpoints.Write(_temp.Sub($"ckpt-{Guid.NewGuid():N}"), Config, seed: 3);
        var exported = _temp.Sub($"onnx-{Guid.NewGuid():N}");
        LlamaOnnxExporter.Export(checkpoint, exported, new ExportOptions { Precision = precision, Attention = attention });
        return exported;
    }

    private static TensorProto Initializer(ModelProto model, string name) => model.Graph.Initializer.Single(i => i.Name == name);

    private static long Attribute(NodeProto node, string name) => node.Attribute.Single(a => a.Name == name).I;
}
