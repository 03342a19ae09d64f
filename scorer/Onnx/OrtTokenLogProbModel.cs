using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Onnx;

/// <summary>An aligned model's exported scoring graph in an ONNX Runtime session. Inputs and the output
/// are bound to the caller's buffers, so only [batch, seq−1] log-probs ever reach the host. A graph with a
/// <c>score_mask</c> input gets the caller's mask (all ones when none is given); a graph without one
/// computes every position and the positions not asked for are zeroed here.</summary>
public sealed class OrtTokenLogProbModel : ITokenLogProbModel
{
    private static readonly string[] InputNames = [ScoringGraph.InputIds, ScoringGraph.AttentionMask];
    private static readonly string[] MaskedInputNames = [ScoringGraph.InputIds, ScoringGraph.AttentionMask, ScoringGraph.ScoreMask];
    private static readonly string[] OutputNames = [ScoringGraph.TokenLogProbs];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    /// <summary>The execution provider the session really runs on.</summary>
    public string Provider { get; }

    public bool HeadOnScoredPositions { get; }

    private OrtTokenLogProbModel(InferenceSession session, string provider, bool headOnScoredPositions)
    {
        _session = session;
        Provider = provider;
        HeadOnScoredPositions = headOnScoredPositions;
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
        bool hasScoreMask;
        try
        {
            hasScoreMask = OnnxSignature.Validate(session, name, onnxPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return new OrtTokenLogProbModel(session, used, hasScoreMask);
    }

    public void TokenLogProbs(ReadOnlyMemory<long> inputIds, ReadOnlyMemory<long> attentionMask, ReadOnlyMemory<long> scoreMask, int batch, int seq, Memory<float> output)
    {
        var positions = batch * (seq - 1);
        if (!scoreMask.IsEmpty && scoreMask.Length != positions)
            throw new ArgumentException($"score mask has {scoreMask.Length} elements; expected batch × (seq − 1) = {positions}", nameof(scoreMask));
        var info = OrtMemoryInfo.DefaultInstance;
        using var ids = OrtValue.CreateTensorValueFromMemory(info, MemoryMarshal.AsMemory(inputIds), [batch, seq]);
        using var mask = OrtValue.CreateTensorValueFromMemory(info, MemoryMarshal.AsMemory(attentionMask), [batch, seq]);
        using var result = OrtValue.CreateTensorValueFromMemory(info, output[..positions], [batch, seq - 1]);
        if (!HeadOnScoredPositions)
        {
            _session.Run(_runOptions, InputNames, [ids, mask], OutputNames, [result]);
            ZeroUnwanted(scoreMask.Span, output.Span[..positions]);
            return;
        }
        var wanted = scoreMask.IsEmpty ? Enumerable.Repeat(1L, positions).ToArray().AsMemory() : scoreMask;
        using var scored = OrtValue.CreateTensorValueFromMemory(info, MemoryMarshal.AsMemory(wanted), [batch, seq - 1]);
        _session.Run(_runOptions, MaskedInputNames, [ids, mask, scored], OutputNames, [result]);
    }

    private static void ZeroUnwanted(ReadOnlySpan<long> scoreMask, Span<float> output)
    {
        for (var i = 0; i < scoreMask.Length; i++)
            if (scoreMask[i] == 0)
                output[i] = 0;
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
