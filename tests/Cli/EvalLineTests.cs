using PoFT.Cli.Terminal;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Cli;

public sealed class EvalLineTests
{
    [Fact]
    public void A_CE_run_without_scores_shows_its_held_out_CE_and_no_empty_tau()
    {
        var line = EvalLine.Of(new EvalMetrics("eval", 13, 1, 2.34567, -2.34567, null, 16));
        Assert.Equal("eval step 13: held-out CE 2.3457", line);
    }

    [Fact]
    public void A_PoFT_evaluation_shows_tau_and_DPO_its_preference_accuracy()
    {
        Assert.Equal("eval step 26: held-out CE 1.5000 τ 0.250", EvalLine.Of(new EvalMetrics("eval", 26, 2, 1.5, -1.5, 0.25, 16)));
        var dpo = new EvalMetrics("eval", 39, 3, 1.25, -1.25, null, 8)
        {
            PreferenceLoss = 0.6,
            Preference = new PreferenceMetrics(0.1, -0.1, 0.75, 0.2, -10, -12, 0.5, 4),
        };
        Assert.Equal("best eval step 39: held-out CE 1.2500 preference loss 0.6000 rewards/accuracies 0.750 logps/accuracies 0.500", EvalLine.Of(dpo, "best eval"));
    }
}
