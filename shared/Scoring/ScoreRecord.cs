using MessagePack;

namespace PoFT.Shared.Scoring;

/// <summary>
/// One sample's line (JSONL) or map (MessagePack) in a score file:
/// <c>{"id": str, "reference": r̄, "models": [{"name", "sum", "count", "mean"}, ...]}</c>, models in manifest order.
/// </summary>
[MessagePackObject]
public sealed record ScoreRecord(
    [property: Key("id")] string Id,
    [property: Key("reference")] double Reference,
    [property: Key("models")] IReadOnlyList<ModelScoreRecord> Models)
{
    public static ScoreRecord From(PreferenceScore score, IReadOnlyList<string> modelNames) => new(
        score.SampleId,
        score.Reference,
        [.. score.PerModel.Select((m, j) => new ModelScoreRecord(modelNames[j], m.LogProbSum, m.TokenCount, m.Mean))]);

    public PreferenceScore ToPreferenceScore() =>
        new(Id, [.. Models.Select(m => new ModelScore(m.Sum, m.Count))], Reference);
}

[MessagePackObject]
public sealed record ModelScoreRecord(
    [property: Key("name")] string Name,
    [property: Key("sum")] double Sum,
    [property: Key("count")] int Count,
    [property: Key("mean")] double Mean);
