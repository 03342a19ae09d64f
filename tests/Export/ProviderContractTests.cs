using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using PoFT.Exporter;
using PoFT.Exporter.Contract;
using PoFT.Exporter.Onnx.Proto;
using PoFT.Exporter.Precision;
using PoFT.Scorer.Manifest;
using PoFT.Scorer.Onnx;
using PoFT.Shared;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Text.Chat;
using PoFT.Tests.Support;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Tests.Export;

/// <summary>
/// The provider contract (exporter/Contract/ProviderKernels.cs) against every export variant, both ways: what a
/// CUDA export must pass and what a CPU-shaped graph must fail on CUDA; the CPU half of the table against ONNX
/// Runtime's own CPU provider (a graph the table accepts loads, one it refuses does not); and the mutations the
/// issue names — attention_bias put back, an fp32 GroupQueryAttention — refused at export and at manifest open.
/// </summary>
public sealed class ProviderContractTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static readonly TheoryData<string> Precisions = new() { "fp32", "fp16", "bf16", "int8", "int4" };

    public static TheoryData<string, string> ShapesAndHalfPrecisions()
    {
        var data = new TheoryData<string, string>();
        foreach (string variant in RandomCheckpoints.Variants)
            foreach (var dtype in new[] { "fp16", "bf16" })
                data.Add(variant, dtype);
        return data;
    }

    [Theory]
    [MemberData(nameof(ShapesAndHalfPrecisions))]
    public void A_CUDA_export_in_half_precision_is_fused_without_attention_bias_and_passes_the_CUDA_contract(string variant, string dtype)
    {
        var (model, graph) = Export(variant, new ExportOptions { Provider = ExecutionProvider.Cuda, Precision = Precision(dtype) });

        Assert.Equal(AttentionKernel.Fused, graph.Attention);
        Assert.Null(graph.AttentionNote);
        Assert.Empty(ProviderContract.Violations(model, ExecutionProvider.Cuda));
        var attention = model.Graph.Node.Where(n => n.OpType == "GroupQueryAttention").ToList();
        Assert.Equal(RandomCheckpoints.Config(variant).NumHiddenLayers, attention.Count);
        Assert.All(attention, n => Assert.Equal(7, n.Input.Count));
        Assert.Equal("cuda", Metadata(model, GraphMetadata.Provider));
        Assert.Equal("fused-lengths", Metadata(model, GraphMetadata.Attention));
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("int8")]
    [InlineData("int4")]
    public void A_CUDA_export_in_fp32_activations_takes_primitive_attention_and_says_why(string precision)
    {
        var (model, graph) = Export("gemma2-softcaps-window-3", new ExportOptions { Provider = ExecutionProvider.Cuda, Precision = Precision(precision) });

        Assert.Equal(AttentionKernel.Primitive, graph.Attention);
        Assert.Contains("float16 and bfloat16 only", graph.AttentionNote);
        Assert.Empty(ProviderContract.Violations(model, ExecutionProvider.Cuda));
        Assert.Equal("primitive", Metadata(model, GraphMetadata.Attention));
    }

    /// <summary>Each CPU export variant against the CUDA table: the fused kernel as the CPU gets it (fp32, with an
    /// attention_bias) is refused; primitive attention, whose ops CUDA registers in every precision used, is not.</summary>
    [Theory]
    [MemberData(nameof(Precisions))]
    public void A_CPU_export_fails_the_CUDA_contract_exactly_where_its_attention_is_the_fused_fp32_kernel(string precision)
    {
        foreach (var attention in Enum.GetValues<AttentionKernel>())
        {
            var (model, _) = Export("gqa-tied", new ExportOptions { Attention = attention, Precision = Precision(precision) });
            var violations = ProviderContract.Violations(model, ExecutionProvider.Cuda);
            if (attention == AttentionKernel.Primitive)
                Assert.Empty(violations);
            else
            {
                Assert.NotEmpty(violations);
                Assert.All(violations, v => Assert.Equal("GroupQueryAttention", v.Op));
                Assert.All(violations, v => Assert.Contains("not float32", v.Reason));
            }
        }
    }

    /// <summary>The CPU half of the table checked against the real thing: for every precision and attention kernel,
    /// the table accepts exactly the graphs ONNX Runtime's CPU provider loads.</summary>
    [Theory]
    [MemberData(nameof(Precisions))]
    public void The_CPU_table_accepts_exactly_the_graphs_the_CPU_provider_loads(string precision)
    {
        foreach (var attention in Enum.GetValues<AttentionKernel>())
            foreach (var provider in Enum.GetValues<ExecutionProvider>())
            {
                var options = new ExportOptions { Attention = attention, Provider = provider, Precision = Precision(precision) };
                ExportedGraph graph;
                ModelProto model;
                string path;
                try { (model, graph, path) = ExportTo(_temp.Sub($"{precision}-{attention}-{provider}"), "gqa-tied", options); }
                catch (PoftUserException) when (provider == ExecutionProvider.Cuda && attention == AttentionKernel.Fused && precision is "fp32" or "int8" or "int4")
                {
                    continue; // refused at export: the next test's subject
                }
                var accepted = ProviderContract.Violations(model, ExecutionProvider.Cpu).Count == 0;
                Assert.True(accepted == Loads(path), $"{precision}, {attention}, exported for {provider}: the table says {(accepted ? "accepted" : "refused")}");
                Assert.Equal(precision != "bf16", accepted);
            }
    }

    [Fact]
    public void An_fp32_fused_CUDA_export_is_refused_at_export_naming_the_kernel_types_and_writes_nothing()
    {
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 3);
        var output = _temp.Sub("out");

        var error = Assert.ThrowsAny<PoftUserException>(() => LlamaOnnxExporter.Export(checkpoint, output, new ExportOptions { Provider = ExecutionProvider.Cuda, Attention = AttentionKernel.Fused }));

        Assert.Contains("--provider cuda", error.Message);
        Assert.Contains("float16 and bfloat16 only", error.Message);
        Assert.False(File.Exists(Path.Combine(output, ScoringGraph.ModelFile)));
    }

    [Fact]
    public void A_CUDA_export_with_an_attention_bias_is_refused_at_export()
    {
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 3);
        var options = new ExportOptions { Provider = ExecutionProvider.Cuda, Masking = FusedMasking.Bias, Precision = Precision("fp16") };

        var error = Assert.ThrowsAny<PoftUserException>(() => LlamaOnnxExporter.Export(checkpoint, _temp.Sub("out"), options));

        Assert.Contains("attention_bias", error.Message);
    }

    /// <summary>The issue's mutations on a valid CUDA export: the attention_bias put back on every GroupQueryAttention,
    /// or the node fed fp32 (the CPU export's form) — each refused, naming the node and the reason.</summary>
    [Theory]
    [InlineData("attention_bias", "attention_bias input, which ONNX Runtime's CUDA kernel refuses")]
    [InlineData("fp32", "takes bfloat16, float16, not float32")]
    public void A_mutated_CUDA_export_fails_the_check_naming_the_node(string mutation, string reason)
    {
        var model = Mutated(mutation);

        var error = Assert.Throws<ProviderContractException>(() => ProviderContract.Enforce(model, ExecutionProvider.Cuda, "mutated.onnx"));

        var first = model.Graph.Node.First(n => n.OpType == "GroupQueryAttention").Name;
        Assert.Contains($"node '{first}' (GroupQueryAttention)", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.Contains("and 1 more node(s)", error.Message);
    }

    [Theory]
    [InlineData("attention_bias", "attention_bias input")]
    [InlineData("fp32", "not float32")]
    public void A_manifest_asking_CUDA_for_a_graph_CUDA_would_refuse_fails_at_open_naming_model_node_and_reason(string mutation, string reason)
    {
        var path = Path.Combine(models.Root, $"mutated-{mutation}", ScoringGraph.ModelFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Mutated(mutation, Path.Combine(models.Root, "llama")).ToByteArray());
        var manifest = models.Manifest($"cuda-{mutation}.json", CudaEntry("llama", $"mutated-{mutation}/model.onnx"));

        var error = Assert.Throws<ManifestException>(() => AlignedModelSet.Open(ModelsManifest.Load(manifest), new OrtScoringBackend(new OrtScoringOptions()), 0, _ => { }));

        Assert.Contains("model 'llama': field 'provider'", error.Message);
        Assert.Contains("(GroupQueryAttention)", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_manifest_asking_CUDA_for_a_CUDA_export_opens_and_here_falls_back_to_the_CPU()
    {
        var output = Path.Combine(models.Root, "llama-cuda-onnx");
        LlamaOnnxExporter.Export(Path.Combine(models.Root, "llama"), output, new ExportOptions { Provider = ExecutionProvider.Cuda, Precision = Precision("fp16") });
        var manifest = models.Manifest("cuda-ok.json", CudaEntry("llama", "llama-cuda-onnx/model.onnx"));
        var warnings = new List<string>();

        using var set = AlignedModelSet.Open(ModelsManifest.Load(manifest), new OrtScoringBackend(new OrtScoringOptions()), 0, warnings.Add);

        Assert.Equal(["CPUExecutionProvider"], set.Providers);
        Assert.Contains(warnings, w => w.Contains("CUDA requested but unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public void A_manifest_running_a_CUDA_export_on_the_CPU_warns_naming_both_providers()
    {
        var output = Path.Combine(models.Root, "llama-cuda-for-cpu-onnx");
        LlamaOnnxExporter.Export(Path.Combine(models.Root, "llama"), output, new ExportOptions { Provider = ExecutionProvider.Cuda, Precision = Precision("fp16") });
        var entry = CudaEntry("llama", "llama-cuda-for-cpu-onnx/model.onnx");
        entry.Remove("provider");
        var manifest = models.Manifest("cuda-on-cpu.json", entry);
        var warnings = new List<string>();

        using var set = AlignedModelSet.Open(ModelsManifest.Load(manifest), new OrtScoringBackend(new OrtScoringOptions()), 0, warnings.Add);

        Assert.Contains(warnings, w => w.Contains("model 'llama'", StringComparison.Ordinal) && w.Contains("was exported for cuda (--provider cuda) but runs on cpu", StringComparison.Ordinal));
    }

    private static JsonObject CudaEntry(string name, string onnx)
    {
        var entry = AlignedModelsFixture.Entry(name, ChatTemplateSpec.Llama3);
        entry["onnx"] = onnx;
        entry["provider"] = new JsonObject { ["kind"] = "cuda" };
        return entry;
    }

    /// <summary>A valid fp16 CUDA export, then: every GroupQueryAttention given an attention_bias input, or its q, k
    /// and v cast to fp32 first.</summary>
    private ModelProto Mutated(string mutation, string? checkpoint = null)
    {
        checkpoint ??= RandomCheckpoints.Write(_temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 3);
        var output = _temp.Sub("valid");
        LlamaOnnxExporter.Export(checkpoint, output, new ExportOptions { Provider = ExecutionProvider.Cuda, Precision = Precision("fp16") });
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(output, ScoringGraph.ModelFile)));
        Assert.Empty(ProviderContract.Violations(model, ExecutionProvider.Cuda));
        var nodes = model.Graph.Node;
        foreach (var node in nodes.Where(n => n.OpType == "GroupQueryAttention").ToList())
            if (mutation == "attention_bias")
            {
                node.Input.AddRange(["", "", "", "attention_bias"]);
            }
            else
                for (var input = 0; input < 3; input++)
                {
                    var cast = new NodeProto { OpType = "Cast", Name = $"{node.Name}_to_f32_{input}", Input = { node.Input[input] }, Output = { $"{node.Input[input]}_f32" } };
                    cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)DataType.Float });
                    nodes.Insert(nodes.IndexOf(node), cast);
                    node.Input[input] = cast.Output[0];
                }
        return model;
    }

    private (ModelProto Model, ExportedGraph Graph) Export(string variant, ExportOptions options)
    {
        var (model, graph, _) = ExportTo(_temp.Sub($"export-{Guid.NewGuid():N}"), variant, options);
        return (model, graph);
    }

    private static (ModelProto Model, ExportedGraph Graph, string Path) ExportTo(string root, string variant, ExportOptions options)
    {
        var checkpoint = RandomCheckpoints.Write(Path.Combine(root, "ckpt"), RandomCheckpoints.Config(variant), seed: 3);
        var output = Path.Combine(root, "onnx");
        var graph = LlamaOnnxExporter.Export(checkpoint, output, options);
        var path = Path.Combine(output, ScoringGraph.ModelFile);
        return (ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)), graph, path);
    }

    private static bool Loads(string path)
    {
        try
        {
            using var session = new InferenceSession(path);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    private static ExportPrecision Precision(string name) => name is "int8" or "int4"
        ? new ExportPrecision { Quantize = ExportPrecision.ParseQuantization(name), BlockSize = 16 }
        : new ExportPrecision { Dtype = ExportPrecision.ParseDtype(name) };

    private static string? Metadata(ModelProto model, string key) => model.MetadataProps.FirstOrDefault(p => p.Key == key)?.Value;
}
