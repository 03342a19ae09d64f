using PoFT.Tests.Support;
using PoFT.Trainer.Training;
using PoFT.Trainer.Training.TensorBoard;

namespace PoFT.Tests.Trainer;

/// <summary>What TensorBoardLog writes beside a run's scalars, decoded independently (<see cref="TensorBoardEvents"/>).</summary>
public sealed class TensorBoardLogTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Text_and_DPO_metrics_land_under_their_tags_at_their_steps()
    {
        var log = TensorBoardLog.Open(_temp.Path, keepThroughStep: null);
        log.Text("samples/q1", "Answer: über naïve 数据", step: 13);
        log.Write(new EvalMetrics("eval", 13, 1, null, null, null, 0)
        {
            PreferenceLoss = 0.5,
            Preference = new PreferenceMetrics(0.25, -0.5, 0.75, 0.75, -10, -12, 1, 4),
        });

        var contents = TensorBoardEvents.Read(Assert.Single(TensorBoardLog.EventFiles(Path.Combine(_temp.Path, TensorBoardLog.FolderName))));
        Assert.Equal(new TensorBoardEvents.Text("samples/q1/text_summary", 13, "Answer: über naïve 数据"), Assert.Single(contents.Texts));
        var scalars = contents.Scalars.ToDictionary(s => s.Tag, s => (s.Step, s.Value));
        Assert.Equal((13L, 0.5f), scalars["eval/loss"]);
        Assert.Equal((13L, 0.75f), scalars["eval/rewards/accuracies"]);
        Assert.Equal((13L, -0.5f), scalars["eval/rewards/rejected"]);
        // No held-out CE and no τ in this evaluation: no scalar for them rather than a 0.
        Assert.DoesNotContain("eval/held_out_ce", scalars.Keys);
        Assert.DoesNotContain("eval/tau_mean", scalars.Keys);
    }

    [Fact]
    public void A_torn_last_frame_is_dropped_on_resume_and_the_frames_before_it_kept_byte_for_byte()
    {
        var log = TensorBoardLog.Open(_temp.Path, keepThroughStep: null);
        // Three scalars per evaluation: eval/loss, eval/held_out_ce, eval/mean_r_theta.
        for (var step = 1; step <= 3; step++)
            log.Write(new EvalMetrics("eval", step, 1, 2.0 / step, -2.0 / step, null, 4));
        var file = Assert.Single(TensorBoardLog.EventFiles(Path.Combine(_temp.Path, TensorBoardLog.FolderName)));
        var whole = File.ReadAllBytes(file);
        File.WriteAllBytes(file, whole[..^5]);

        TensorBoardLog.Open(_temp.Path, keepThroughStep: 2);

        var kept = TensorBoardEvents.Read(file);
        Assert.Equal([1L, 1L, 1L, 2L, 2L, 2L], kept.Scalars.Select(s => s.Step).Order());
        Assert.Equal(whole[..File.ReadAllBytes(file).Length], File.ReadAllBytes(file));
    }
}
