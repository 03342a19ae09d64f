using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PoFT.Shared;

namespace PoFT.Trainer.Training;

/// <summary>One JSON object per line: a record per optimizer step and per evaluation
/// (<c>"kind": "step" | "eval"</c>). Appended and flushed as the run goes, so a crash keeps the history.</summary>
public sealed class MetricsLog : IDisposable
{
    public const string FileName = "metrics.jsonl";

    private static readonly JsonSerializerOptions Json = new(TrainerState.Json) { WriteIndented = false };

    private readonly StreamWriter _writer;

    private MetricsLog(StreamWriter writer) => _writer = writer;

    /// <param name="keepThroughStep">Resuming: the records of steps up to this one stay and later ones go
    /// (they are about to be run again); null: a new run, the file starts empty.</param>
    public static MetricsLog Open(string path, int? keepThroughStep)
    {
        if (keepThroughStep is { } last && File.Exists(path))
        {
            var kept = File.ReadLines(path).Where(line => line.Length > 0 && StepOf(path, line) <= last).ToList();
            AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join('\n', kept) + '\n');
        }
        var mode = keepThroughStep is null ? FileMode.Create : FileMode.Append;
        return new MetricsLog(new StreamWriter(new FileStream(path, mode, FileAccess.Write, FileShare.Read)) { AutoFlush = true });
    }

    public void Write(StepMetrics record) => _writer.WriteLine(Flat(record, record.Preference));

    public void Write(EvalMetrics record) => _writer.WriteLine(Flat(record, record.Preference));

    /// <summary>A record read back, its preference metrics (if it holds them) included.</summary>
    public static StepMetrics ReadStep(string line) => JsonSerializer.Deserialize<StepMetrics>(line, Json)! with { Preference = PreferenceIn(line) };

    public static EvalMetrics ReadEval(string line) => JsonSerializer.Deserialize<EvalMetrics>(line, Json)! with { Preference = PreferenceIn(line) };

    /// <summary>The preference metrics at the record's top level, as TRL logs <c>rewards/chosen</c> beside
    /// <c>loss</c>, rather than nested under a key of their own.</summary>
    private static string Flat(object record, PreferenceMetrics? preference)
    {
        var json = JsonSerializer.SerializeToNode(record, Json)!.AsObject();
        if (preference is not null)
            foreach (var (key, value) in JsonSerializer.SerializeToNode(preference, Json)!.AsObject())
                json[key] = value?.DeepClone();
        return json.ToJsonString(Json);
    }

    private static PreferenceMetrics? PreferenceIn(string line) =>
        JsonNode.Parse(line)?[PreferenceMetrics.MarkerKey] is null ? null : JsonSerializer.Deserialize<PreferenceMetrics>(line, Json);

    public void Dispose() => _writer.Dispose();

    private static int StepOf(string path, string line)
    {
        try
        {
            return JsonNode.Parse(line)?["step"]?.GetValue<int>() ?? throw new JsonException("no 'step'");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // A line cut short by a crash mid-write is the only kind a resume may drop unread.
            return int.MaxValue;
        }
    }
}

/// <summary>One optimizer step. <see cref="Ce"/> is the mean per-token CE of the step's samples — for DPO, of
/// its chosen completions; the τ fields are PoFT's, <see cref="Preference"/> DPO's.</summary>
public sealed record StepMetrics(string Kind, int Step, int TotalSteps, int Epoch, double Loss, double Ce, double? TauMean, double? TauClean, double? TauNoise,
    double Lr, double GradNorm, long Tokens, double TokensPerS, double ScorerWaitS, double ElapsedS)
{
    [JsonIgnore] public PreferenceMetrics? Preference { get; init; }
}

/// <summary>One evaluation: the held-out CE over the held-out SFT samples (null without them), and for DPO
/// the held-out pairs' loss and <see cref="Preference"/> metrics.</summary>
public sealed record EvalMetrics(string Kind, int Step, int Epoch, double? HeldOutCe, double? MeanRTheta, double? MeanTau, int Samples)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? PreferenceLoss { get; init; }

    [JsonIgnore] public PreferenceMetrics? Preference { get; init; }
}
