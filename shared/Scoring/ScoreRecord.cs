using System.Text.Json.Serialization;
using MessagePack;

namespace PoFT.Shared.Scoring;

/// <summary>
/// One sample's line (JSONL) or map (MessagePack) in a score file:
/// <c>{"id": str, "reference": r̄, "models": [{"name", "sum", "count", "mean"}, ...]}</c>, models in manifest order;
/// scored with IFD (<c>score --ifd</c>), each model also has <c>response_only_sum</c>, <c>response_only_count</c> and
/// <c>ifd</c> (<see cref="ModelScoreRecord"/>). Files without them (older, or scored without IFD) read as before.
/// </summary>
[MessagePackObject]
public sealed record ScoreRecord(
    [property: Key("id")] string Id,
    [property: Key("reference")] double Reference,
    [property: Key("models")] IReadOnlyList<ModelScoreRecord> Models)
{
    /// <summary>The record of a score; with <see cref="PreferenceScore.ResponseOnly"/>, each model's r(y) and IFD = exp(r(y) − r(y|x)).</summary>
    public static ScoreRecord From(PreferenceScore score, IReadOnlyList<string> modelNames) => new(
        score.SampleId,
        score.Reference,
        [.. score.PerModel.Select((m, j) => score.ResponseOnly?[j] is { } y
            ? new ModelScoreRecord(modelNames[j], m.LogProbSum, m.TokenCount, m.Mean, y.LogProbSum, y.TokenCount, Math.Exp(y.Mean - m.Mean))
            : new ModelScoreRecord(modelNames[j], m.LogProbSum, m.TokenCount, m.Mean))]);

    /// <summary>The record of a sample scored with IFD: <paramref name="score"/> with the prompt, <paramref name="responseOnly"/>
    /// the same response without it.</summary>
    public static ScoreRecord From(PreferenceScore score, PreferenceScore responseOnly, IReadOnlyList<string> modelNames) =>
        From(score with { ResponseOnly = responseOnly.PerModel }, modelNames);

    public PreferenceScore ToPreferenceScore() =>
        new(Id, [.. Models.Select(m => new ModelScore(m.Sum, m.Count))], Reference)
        {
            ResponseOnly = Models.All(m => m.HasIfd) ? [.. Models.Select(m => new ModelScore(m.ResponseOnlySum!.Value, m.ResponseOnlyCount!.Value))] : null,
        };
}

/// <param name="ResponseOnlySum">With IFD: the sum of the response tokens' log-probs with the prompt left out, r(y)'s
/// numerator (docs/scoring.md, "IFD"); null without.</param>
/// <param name="Ifd">With IFD: exp(r(y) − r(y|x)), r the per-token mean (Li et al. 2024's IFD, a ratio of perplexities).</param>
[MessagePackObject]
public sealed record ModelScoreRecord(
    [property: Key("name")] string Name,
    [property: Key("sum")] double Sum,
    [property: Key("count")] int Count,
    [property: Key("mean")] double Mean,
    [property: Key("response_only_sum"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ResponseOnlySum = null,
    [property: Key("response_only_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ResponseOnlyCount = null,
    [property: Key("ifd"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Ifd = null)
{
    /// <summary>Whether the record carries the response-only pass: all three IFD fields, or none.</summary>
    [IgnoreMember, JsonIgnore]
    public bool HasIfd => Ifd is not null;
}
