using System.Text.Json;

namespace PoFT.Trainer.Training;

/// <summary>One JSON object per line: a record per optimizer step and per evaluation
/// (<c>"kind": "step" | "eval"</c>). Appended and flushed as the run goes, so a crash keeps the history.</summary>
public sealed class MetricsLog(string path) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(TrainerState.Json) { WriteIndented = false };

    private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };

    public void Write(object record) => _writer.WriteLine(JsonSerializer.Serialize(record, Json));

    public void Dispose() => _writer.Dispose();
}

public sealed record StepMetrics(string Kind, int Step, int TotalSteps, int Epoch, double Loss, double Ce, double? TauMean, double? TauClean, double? TauNoise,
    double Lr, double GradNorm, long Tokens, double TokensPerS, double ScorerWaitS, double ElapsedS);

public sealed record EvalMetrics(string Kind, int Step, int Epoch, double HeldOutCe, double MeanRTheta, double? MeanTau, int Samples);
