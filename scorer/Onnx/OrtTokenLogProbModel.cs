using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Onnx;

/// <summary>An aligned model's exported scoring graph in an ONNX Runtime session. Inputs and the output
/// are bound to the caller's buffers, so only [batch, seq−1] log-probs ever reach the host.</summary>
public sealed class OrtTokenLogProbModel : ITokenLogProbModel
{
    private static readonly string[] InputNames = [ScoringGraph.InputIds, ScoringGraph.AttentionMask];
    private static readonly string[] OutputNames = [ScoringGraph.TokenLogProbs];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    /// <summary>The execution provider the session really runs on.</summary>
    public string Provider { get; }

    private OrtTokenLogProbModel(InferenceSession session, string provider)
    {
        _session = session;
        Provider = provider;
    }

    public static OrtTokenLogProbModel Open(string name, string onnxPath, ExecutionProviderSpec provider, OrtScoringOptions options, Action<string> warn)
    {
        if (!File.Exists(onnxPath))
            throw new FileNotFoundException($"aligned model '{name}': ONNX file not found: {onnxPath}", onnxPath);
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizationLevel,
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            EnableCpuMemArena = options.EnableMemoryArena,
        };
        // Idle ORT threads would otherwise spin on the cores between runs, stealing them from the other
        // aligned models' sessions and from the trainer in the same process (measured: libtorch GEMM fell
        // from ~126 to 2 GFLOP/s right after an ORT run).
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (options.DisablePrepacking)
            sessionOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
        var used = "CPUExecutionProvider";
        if (provider.Kind == "cuda")
        {
            try
            {
                sessionOptions.AppendExecutionProvider_CUDA(provider.DeviceId);
                used = "CUDAExecutionProvider";
            }
            // The CPU package lacks the CUDA entry point altogether; the GPU package without a usable
            // device fails inside ONNX Runtime.
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException && !options.RequireGpu)
            {
                warn($"aligned model '{name}': CUDA requested but unavailable ({FirstLine(e.Message)}); scoring on CPU");
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException)
            {
                throw new InvalidOperationException($"aligned model '{name}': CUDA required (--require-gpu) but unavailable: {FirstLine(e.Message)}", e);
            }
        }
        InferenceSession session;
        try { session = new InferenceSession(onnxPath, sessionOptions); }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"aligned model '{name}': {onnxPath}: ONNX Runtime cannot load it: {FirstLine(e.Message)}", e);
        }
        try
        {
            OnnxSignature.Validate(session, name, onnxPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return new OrtTokenLogProbModel(session, used);
    }

    public void TokenLogProbs(ReadOnlyMemory<long> inputIds, ReadOnlyMemory<long> attentionMask, int batch, int seq, Memory<float> output)
    {
        var info = OrtMemoryInfo.DefaultInstance;
        using var ids = OrtValue.CreateTensorValueFromMemory(info, MemoryMarshal.AsMemory(inputIds), [batch, seq]);
        using var mask = OrtValue.CreateTensorValueFromMemory(info, MemoryMarshal.AsMemory(attentionMask), [batch, seq]);
        using var result = OrtValue.CreateTensorValueFromMemory(info, output[..(batch * (seq - 1))], [batch, seq - 1]);
        _session.Run(_runOptions, InputNames, [ids, mask], OutputNames, [result]);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
