using PoFT.Hybrid.Config;
using PoFT.Shared;
using PoFT.Shared.Data;

namespace PoFT.Hybrid;

/// <summary>
/// A score file (<c>scores</c>, or DPO's <c>ref_scores</c> / <c>eval_ref_scores</c>) must score every sample the run
/// trains and evaluates on, checked when the file is read, before the first step. Without it a training sample
/// missing from the file stopped the run when its turn came ("no score for sample …", steps in), a held-out pair at
/// the first evaluation, and a held-out SFT sample was silently left out of the held-out τ (<see cref="RequireAllOrNone"/>).
/// </summary>
internal static class ScoreCoverage
{
    /// <summary>How many missing ids a refusal lists.</summary>
    private const int Listed = 3;

    /// <param name="scoresField">The config field that names the score file.</param>
    /// <param name="dataField">The config field that names the data (<c>train_data</c>, <c>eval_data</c>, …).</param>
    /// <param name="ids">The ids of the samples (or completions) the run needs scores of, in file order.</param>
    /// <exception cref="PoftUserException">Some are not in the file: how many, and the first few.</exception>
    public static void Require(TrainConfig config, string scoresField, string scoresPath, IReadOnlyDictionary<string, Shared.Scoring.PreferenceScore> scored,
        string dataField, string? dataPath, IEnumerable<string> ids)
    {
        var needed = ids.Distinct(StringComparer.Ordinal).ToList();
        var missing = needed.Where(id => !scored.ContainsKey(id)).ToList();
        if (missing.Count == 0)
            return;
        throw new PoftUserException($"{config.Describe(dataField)}: {missing.Count} of the {needed.Count} samples of {dataPath} have no score in " +
            $"{scoresPath} (field '{scoresField}'; first: {string.Join(", ", missing.Take(Listed).Select(id => $"'{id}'"))}" +
            $"{(missing.Count > Listed ? ", …" : "")}): score this data with the same models, or give the score file that did");
    }

    /// <summary>Held-out SFT samples with a score file: all scored, or none — then the held-out τ is not reported, and
    /// <paramref name="note"/> says so (a file of the training data alone, as <c>score --ifd</c> of it makes).
    /// Some but not all is a file of other data, refused as <see cref="Require"/> does.</summary>
    public static void RequireAllOrNone(TrainConfig config, string scoresField, string scoresPath, IReadOnlyDictionary<string, Shared.Scoring.PreferenceScore> scored,
        string dataField, string? dataPath, IReadOnlyList<string> ids, Action<string> note)
    {
        if (ids.Count > 0 && ids.All(id => !scored.ContainsKey(id)))
            note($"{config.Describe(dataField)}: {scoresPath} scores none of the {ids.Count} samples of {dataPath}, so the held-out τ is not reported");
        else
            Require(config, scoresField, scoresPath, scored, dataField, dataPath, ids);
    }

    /// <summary>The ids of what DPO scores of each pair: its two completions (<see cref="PreferencePair.Samples"/>).</summary>
    public static IEnumerable<string> CompletionIds(IEnumerable<PreferencePair> pairs) => pairs.SelectMany(p => p.Samples).Select(s => s.Id);
}
