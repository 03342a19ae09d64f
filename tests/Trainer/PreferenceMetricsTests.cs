using System.Text.Json.Nodes;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Trainer;

public sealed class PreferenceMetricsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly PairOutcome[] Pairs =
    [
        new(ChosenReward: 0.3, RejectedReward: -0.1, ChosenLogp: -10, RejectedLogp: -14, ChosenMeanLogp: -2.0, RejectedMeanLogp: -2.5),
        new(ChosenReward: 0.2, RejectedReward: 0.2, ChosenLogp: -20, RejectedLogp: -18, ChosenMeanLogp: -2.2, RejectedMeanLogp: -2.1),
        new(ChosenReward: -0.5, RejectedReward: 0.1, ChosenLogp: -6, RejectedLogp: -9, ChosenMeanLogp: -1.5, RejectedMeanLogp: -1.8),
    ];

    [Fact]
    public void Means_over_the_pairs_as_TRL_reports_them_by_hand()
    {
        var m = PreferenceMetrics.Of(Pairs);
        Assert.Equal((0.3 + 0.2 - 0.5) / 3, m.RewardsChosen, 1e-12);
        Assert.Equal((-0.1 + 0.2 + 0.1) / 3, m.RewardsRejected, 1e-12);
        Assert.Equal((0.4 + 0 - 0.6) / 3, m.RewardsMargins, 1e-12);
        // Equal rewards are no preference: only the first pair counts.
        Assert.Equal(1.0 / 3, m.RewardsAccuracies, 1e-12);
        Assert.Equal(-12, m.LogpsChosen, 1e-12);
        Assert.Equal(-41.0 / 3, m.LogpsRejected, 1e-12);
        // Per token, the first and third chosen completions are the likelier.
        Assert.Equal(2.0 / 3, m.LogpsAccuracies, 1e-12);
        Assert.Equal(3, m.Pairs);
    }

    [Fact]
    public void A_metrics_record_holds_them_at_its_top_level_under_TRLs_names_and_reads_back()
    {
        var path = _temp.File(MetricsLog.FileName);
        var preference = PreferenceMetrics.Of(Pairs);
        using (var log = MetricsLog.Open(path, keepThroughStep: null))
        {
            log.Write(new StepMetrics("step", 1, 2, 1, 0.69, 2.1, null, null, null, 1e-4, 0.5, 100, 10, 0, 1) { Preference = preference });
            log.Write(new EvalMetrics("eval", 1, 1, 2.0, -2.0, null, 4) { PreferenceLoss = 0.6, Preference = preference });
            log.Write(new StepMetrics("step", 2, 2, 1, 1.5, 1.5, 0.5, 0.5, null, 1e-4, 0.5, 100, 10, 0, 2));
        }
        var lines = File.ReadAllLines(path);
        var step = JsonNode.Parse(lines[0])!.AsObject();
        foreach (var key in new[] { "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected" })
            Assert.True(step.ContainsKey(key), key);
        Assert.Equal(preference.RewardsMargins, step["rewards/margins"]!.GetValue<double>());
        Assert.Equal(preference, MetricsLog.ReadStep(lines[0]).Preference);
        Assert.Equal(0.6, MetricsLog.ReadEval(lines[1]).PreferenceLoss);
        Assert.Equal(preference, MetricsLog.ReadEval(lines[1]).Preference);
        Assert.Null(MetricsLog.ReadStep(lines[2]).Preference);
        Assert.False(JsonNode.Parse(lines[2])!.AsObject().ContainsKey("rewards/chosen"));
    }
}
