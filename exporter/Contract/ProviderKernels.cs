using PoFT.Checkpoints;
using PoFT.Exporter.Onnx;
using PoFT.Exporter.Precision;
using PoFT.Exporter.Onnx.Proto;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter.Contract;

/// <summary>One op's kernel on one provider: the element types its type-deciding input may have, and any other
/// rule its kernel enforces (a message when the node breaks it, else null).</summary>
public sealed record KernelRule(string Op, string Domain, int TypedInput, IReadOnlySet<DataType> Types, string Source,
    Func<NodeProto, string?>? Rule = null);

/// <summary>
/// What each execution provider's kernels accept for the ops the exporter emits, from ONNX Runtime's kernel
/// registrations and input checks (microsoft/onnxruntime; the file is named per row). The GroupQueryAttention and
/// MatMulNBits rows were read in those files as stored around the 1.31 line (CUDA group_query_attention.cc at
/// commit 001d12d2, group_query_attention_helper.h, cuda/quantization/matmul_nbits.cc); the standard ops' type lists
/// are their registrations' as this table records them, checked against the real CPU provider by a test (every graph
/// the CPU half accepts loads, every one it refuses does not) but against no CUDA session (docs/scoring.md, "The
/// CUDA graph"). An op a provider has no kernel for, or a type it is not registered for, is refused: on the CPU the
/// session would not load; on CUDA ONNX Runtime would place that node on the CPU, copying its tensors across both
/// ways, or, for GroupQueryAttention with an attention_bias, fail with INVALID_ARGUMENT at the first run.
/// <see cref="ProviderContract"/> walks a graph against this table.
/// </summary>
public static class ProviderKernels
{
    private const DataType F32 = DataType.Float, F16 = DataType.Float16, Bf16 = DataType.Bfloat16, F64 = DataType.Double,
        I16 = DataType.Int16, I32 = DataType.Int32, I64 = DataType.Int64, U8 = DataType.Uint8, U32 = DataType.Uint32, U64 = DataType.Uint64, Bool = DataType.Bool;

    /// <summary>Pure data movement (shape, slice, gather, scatter, concat): registered for every fixed-size type
    /// on both providers (cpu/tensor/*.cc and cuda/tensor/*.cc, "AllFixedSizeTensorTypes").</summary>
    private static readonly DataType[] AnyType = [F32, F16, Bf16, F64, I32, I64, U8, Bool, DataType.Int8, I16, U32, U64];

    private static readonly string[] DataMovement =
        ["Reshape", "Squeeze", "Unsqueeze", "Shape", "Expand", "Concat", "Split", "Transpose", "Slice", "Gather", "GatherElements", "GatherND", "ScatterND", "Cast"];

    /// <summary>The CPU provider: fp32 kernels everywhere; an fp16 node without an fp16 kernel still runs,
    /// because ONNX Runtime's InsertCastTransformer (core/optimizer/insert_cast_transformer.cc) wraps it in
    /// Casts to and from fp32 for the CPU provider — for float16 only, so bfloat16 MatMul/Gemm/… have no
    /// CPU kernel ("Could not find an implementation for MatMul(13)", tests/Export/Precision).</summary>
    public static readonly IReadOnlyDictionary<string, KernelRule> Cpu = Table(
    [
        .. DataMovement.Select(op => Rule(op, AnyType, "core/providers/cpu/tensor/*.cc: all fixed-size types")),
        .. Ops(["Add", "Sub", "Mul", "Div", "Max"], [F32, F16, F64, I32, I64], "core/providers/cpu/math/element_wise_ops.cc (fp16 by cast insertion)"),
        .. Ops(["Pow", "Sqrt", "Tanh", "Sigmoid", "Neg", "Cos", "Sin", "ReduceMean", "MatMul", "Gemm", "Softmax", "LogSoftmax"], [F32, F16, F64],
            "core/providers/cpu/{math,reduction}/*.cc: float/double kernels (fp16 by cast insertion); no bfloat16"),
        .. Ops(["ReduceSum", "CumSum", "Range", "Mod"], [F32, F64, I32, I64], "core/providers/cpu/{reduction,math,generator}/*.cc"),
        .. Ops(["Equal", "Less", "LessOrEqual", "Greater"], [F32, F64, I32, I64, Bool], "core/providers/cpu/math/element_wise_ops.cc"),
        Rule("And", [Bool], "core/providers/cpu/math/element_wise_ops.cc: bool"),
        Rule("Where", [F32, F64, I32, I64, U8, Bool, F16], "core/providers/cpu/tensor/where_op.cc", typedInput: 1),
        Rule("NonZero", [Bool, F32, I32, I64, U8], "core/providers/cpu/tensor/nonzero_op.cc"),
        // contrib_ops/cpu/bert/group_query_attention.cc registers float (fp16 runs, by its own kernel or cast insertion:
        // the fp16 CUDA export loads and scores on the CPU provider in the tests); attention_bias, seqlens_k and
        // total_sequence_length are all taken.
        Rule("GroupQueryAttention", [F32, F16], "contrib_ops/cpu/bert/group_query_attention.cc", domain: OnnxDomains.Microsoft, rule: GroupQueryAttentionShape),
        // contrib_ops/cpu/quantization/matmul_nbits.cc: T1 float (and MLFloat16), bits 2/4/8.
        Rule("MatMulNBits", [F32, F16], "contrib_ops/cpu/quantization/matmul_nbits.cc", domain: OnnxDomains.Microsoft, rule: MatMulNBitsBits),
    ]);

    /// <summary>The CUDA provider (core/providers/cuda/cuda_execution_provider.cc, RegisterCudaKernels; contrib
    /// ops in contrib_ops/cuda/cuda_contrib_kernels.cc). No cast insertion: a type not listed means the node
    /// runs on the CPU.</summary>
    public static readonly IReadOnlyDictionary<string, KernelRule> Cuda = Table(
    [
        .. DataMovement.Select(op => Rule(op, AnyType, "core/providers/cuda/tensor/*.cc: all fixed-size types")),
        .. Ops(["Add", "Sub", "Mul", "Div", "Max"], [F32, F16, Bf16, F64, I32, I64, U32, U64], "core/providers/cuda/math/binary_elementwise_ops.cc"),
        .. Ops(["Sqrt", "Tanh", "Sigmoid", "Neg"], [F32, F16, Bf16, F64], "core/providers/cuda/math/unary_elementwise_ops.cc"),
        .. Ops(["Pow", "Cos", "Sin"], [F32, F16, F64], "core/providers/cuda/math/{binary,unary}_elementwise_ops.cc: no bfloat16"),
        .. Ops(["ReduceMean", "ReduceSum"], [F32, F16, Bf16, F64, I32, I64], "core/providers/cuda/reduction/reduction_ops.cc"),
        .. Ops(["MatMul", "Gemm", "Softmax", "LogSoftmax"], [F32, F16, Bf16, F64], "core/providers/cuda/math/{matmul,gemm,softmax}.cc"),
        Rule("CumSum", [F32, F16, F64, I32, I64, U32, U64], "core/providers/cuda/math/cumsum.cc"),
        Rule("Range", [F32, F64, I16, I32, I64], "core/providers/cuda/generator/range.cc"),
        Rule("Mod", [F32, F16, F64, I32, I64, U32, U64], "core/providers/cuda/math/binary_elementwise_ops.cc"),
        .. Ops(["Equal", "Less", "LessOrEqual", "Greater"], [F32, F16, Bf16, F64, I32, I64, U32, U64, Bool], "core/providers/cuda/math/binary_elementwise_ops.cc"),
        Rule("And", [Bool], "core/providers/cuda/math/binary_elementwise_ops.cc: bool"),
        Rule("Where", [F32, F16, Bf16, F64, I32, I64, U8], "core/providers/cuda/tensor/where.cc", typedInput: 1),
        Rule("NonZero", [Bool, F32, F16, I32, I64, U8], "core/providers/cuda/tensor/nonzero_op.cc"),
        // contrib_ops/cuda/bert/group_query_attention.cc: REGISTER_KERNEL_TYPED(MLFloat16, MLFloat16) and
        // (BFloat16, BFloat16) only, total_sequence_length an OrtMemTypeCPUInput (input 6).
        Rule("GroupQueryAttention", [F16, Bf16], "contrib_ops/cuda/bert/group_query_attention.cc", domain: OnnxDomains.Microsoft, rule: CudaGroupQueryAttention),
        // contrib_ops/cuda/quantization/matmul_nbits.cc: float, MLFloat16 and BFloat16 ("CUDA also registers an FP32
        // MatMulNBits variant"), 4 or 8 bits.
        Rule("MatMulNBits", [F32, F16, Bf16], "contrib_ops/cuda/quantization/matmul_nbits.cc", domain: OnnxDomains.Microsoft, rule: MatMulNBitsBits),
    ]);

    public static IReadOnlyDictionary<string, KernelRule> For(ExecutionProvider provider) =>
        provider == ExecutionProvider.Cuda ? Cuda : Cpu;

    /// <summary>Why the provider's GroupQueryAttention cannot run this model in this precision, or null. These depend
    /// on the model's shape, which a graph walk does not see, so the export decides them (and records its choice).</summary>
    public static string? FusedAttentionObstacle(ExecutionProvider provider, ModelConfig config, ExportPrecision precision)
    {
        // group_query_attention_helper.h, CheckInputs: "head_size must be a multiple of 8" (both providers).
        if (config.HeadDim % 8 != 0)
            return $"head_dim {config.HeadDim} is not a multiple of 8";
        if (provider != ExecutionProvider.Cuda)
            return null;
        if (!Cuda["GroupQueryAttention"].Types.Contains(precision.ComputeType))
            return $"its CUDA kernel is registered for float16 and bfloat16 only, and this export computes in {precision} (--dtype fp16 or bf16 gets the fused kernel)";
        // The CUDA kernel has no unfused path: flash attention (flash_api.h is_supported: head_size ≤ 256, a multiple
        // of 8, SM 8.0+) or memory-efficient attention; above 256 only the latter might take it, not assumed here.
        if (config.HeadDim > 256)
            return $"head_dim {config.HeadDim} exceeds flash attention's 256";
        // CheckInputs' CUDA overload: "num_heads should be no larger than" maxThreadsPerBlock (1024 on every CUDA GPU).
        if (config.NumAttentionHeads > 1024)
            return $"{config.NumAttentionHeads} heads exceed the kernel's 1024";
        return null;
    }

    // Inputs by position (contrib_ops/cuda/bert/group_query_attention.cc, ComputeInternal): 5 seqlens_k,
    // 6 total_sequence_length, 7/8 cos/sin caches, 10 attention_bias.
    private static string? CudaGroupQueryAttention(NodeProto node)
    {
        // ComputeInternal: "attention_bias is not supported in GroupQueryAttention cuda kernel." (INVALID_ARGUMENT).
        if (Present(node, 10))
            return "it has an attention_bias input, which ONNX Runtime's CUDA kernel refuses (INVALID_ARGUMENT); mask through seqlens_k and total_sequence_length";
        return GroupQueryAttentionShape(node);
    }

    private static string? GroupQueryAttentionShape(NodeProto node)
    {
        if (!Present(node, 5) || !Present(node, 6))
            return "it lacks seqlens_k or total_sequence_length, which every GroupQueryAttention kernel reads";
        // "cos_cache and sin_cache must be passed to GroupQueryAttention when do_rotary = 1".
        if (Attribute(node, "do_rotary") == 1 && (!Present(node, 7) || !Present(node, 8)))
            return "do_rotary is 1 without cos_cache and sin_cache";
        return null;
    }

    private static string? MatMulNBitsBits(NodeProto node) =>
        Attribute(node, "bits") is 4 or 8 ? null : $"bits {Attribute(node, "bits")}: the exporter's kernels take 4 or 8";

    private static bool Present(NodeProto node, int input) => node.Input.Count > input && node.Input[input].Length > 0;

    private static long? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I;

    private static KernelRule Rule(string op, DataType[] types, string source, int typedInput = 0, string domain = OnnxDomains.Standard, Func<NodeProto, string?>? rule = null) =>
        new(op, domain, typedInput, types.ToHashSet(), source, rule);

    private static IEnumerable<KernelRule> Ops(string[] ops, DataType[] types, string source) => ops.Select(op => Rule(op, types, source));

    private static IReadOnlyDictionary<string, KernelRule> Table(KernelRule[] rules) =>
        rules.ToDictionary(r => r.Op, StringComparer.Ordinal);
}
