using System.Text.Json.Serialization;

namespace PoFT.Trainer.Training;

/// <summary>One pair's numbers in a DPO step or evaluation: the implicit rewards β(log π − log π_ref) and the
/// policy's log-probs (sums, or per-token means under IPO) of both completions, and the policy's per-token mean
/// log-probs, which compare completions of different lengths.</summary>
public readonly record struct PairOutcome(double ChosenReward, double RejectedReward, double ChosenLogp, double RejectedLogp,
    double ChosenMeanLogp, double RejectedMeanLogp);

/// <summary>
/// DPO's metrics over a step's or an evaluation's pairs, named as TRL's DPOTrainer names them (means over
/// the pairs), and <c>logps/accuracies</c>: the share of pairs whose chosen completion the policy itself finds
/// more likely per token — a property of the model alone, comparable before DPO, where every reward is 0.
/// </summary>
public sealed record PreferenceMetrics(
    [property: JsonPropertyName("rewards/chosen")] double RewardsChosen,
    [property: JsonPropertyName("rewards/rejected")] double RewardsRejected,
    [property: JsonPropertyName("rewards/accuracies")] double RewardsAccuracies,
    [property: JsonPropertyName("rewards/margins")] double RewardsMargins,
    [property: JsonPropertyName("logps/chosen")] double LogpsChosen,
    [property: JsonPropertyName("logps/rejected")] double LogpsRejected,
    [property: JsonPropertyName("logps/accuracies")] double LogpsAccuracies,
    [property: JsonPropertyName("pairs")] int Pairs)
{
    /// <summary>The key a metrics record holds when it carries these metrics.</summary>
    public const string MarkerKey = "rewards/chosen";

    public static PreferenceMetrics Of(IReadOnlyCollection<PairOutcome> pairs)
    {
        if (pairs.Count == 0)
            throw new ArgumentException("no pairs to average", nameof(pairs));
        return new(
            pairs.Average(p => p.ChosenReward),
            pairs.Average(p => p.RejectedReward),
            // Strictly greater, as TRL counts: equal rewards (policy = reference, at step 0) are no preference.
            pairs.Average(p => p.ChosenReward > p.RejectedReward ? 1.0 : 0.0),
            pairs.Average(p => p.ChosenReward - p.RejectedReward),
            pairs.Average(p => p.ChosenLogp),
            pairs.Average(p => p.RejectedLogp),
            pairs.Average(p => p.ChosenMeanLogp > p.RejectedMeanLogp ? 1.0 : 0.0),
            pairs.Count);
    }
}
