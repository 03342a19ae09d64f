using TorchSharp.Modules;
using static TorchSharp.torch.utils.tensorboard;

namespace PoFT.Trainer.Training.TensorBoard;

/// <summary>
/// A run's curves for TensorBoard (<c>tensorboard --logdir RUN/logs</c>), written by TorchSharp's own
/// <see cref="SummaryWriter"/> with the names TRL's runs have there: the Hugging Face Trainer logs <c>loss</c>,
/// <c>learning_rate</c>, <c>grad_norm</c>, <c>epoch</c> and DPOTrainer's <c>rewards/…</c>, <c>logps/…</c>, and its
/// TensorBoard callback puts a training record's keys under <c>train/</c> and an evaluation's <c>eval_</c> keys under
/// <c>eval/</c> (transformers, integrations/integration_utils.py, <c>rewrite_logs</c>). Ours beside them: CE, τ (all,
/// clean, noise), r̄'s wait, tokens/s; the held-out CE, mean r_θ and τ.
/// </summary>
/// <remarks>
/// Each process writes a new event file (the writer names it by time, host and pid) in the same folder, which
/// TensorBoard reads as one run. Resuming from the checkpoint of step S first cuts every earlier file back to steps
/// ≤ S (<see cref="EventFile.KeepThroughStep"/>): a run killed after checkpoint S had logged later steps that the
/// resumed run now trains again, and each step must appear once. This is metrics.jsonl's rule (<see cref="MetricsLog"/>).
/// </remarks>
public sealed class TensorBoardLog
{
    /// <summary>The folder below the run directory that holds the event files.</summary>
    public const string FolderName = "logs";

    private readonly SummaryWriter _writer;

    private TensorBoardLog(SummaryWriter writer) => _writer = writer;

    /// <param name="keepThroughStep">Resuming: the steps up to this one stay in the earlier files and later ones go;
    /// null: a new run, which replaces what an earlier run left there (as metrics.jsonl starts empty).</param>
    public static TensorBoardLog Open(string runDirectory, int? keepThroughStep)
    {
        var folder = Path.Combine(runDirectory, FolderName);
        if (Directory.Exists(folder))
            foreach (var file in EventFiles(folder))
                if (keepThroughStep is { } last)
                    EventFile.KeepThroughStep(file, last);
                else
                    File.Delete(file);
        return new TensorBoardLog(SummaryWriter(folder));
    }

    /// <summary>The event files TensorBoard would read in <paramref name="folder"/>, oldest first.</summary>
    public static IReadOnlyList<string> EventFiles(string folder) =>
        [.. Directory.EnumerateFiles(folder, "events.out.tfevents.*").Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    public void Write(StepMetrics m)
    {
        Scalar("train/loss", m.Loss, m.Step);
        Scalar("train/learning_rate", m.Lr, m.Step);
        Scalar("train/grad_norm", m.GradNorm, m.Step);
        Scalar("train/epoch", m.Epoch, m.Step);
        Scalar("train/ce", m.Ce, m.Step);
        Scalar("train/tau_mean", m.TauMean, m.Step);
        Scalar("train/tau_clean", m.TauClean, m.Step);
        Scalar("train/tau_noise", m.TauNoise, m.Step);
        Scalar("train/scorer_wait_s", m.ScorerWaitS, m.Step);
        Scalar("train/tokens_per_s", m.TokensPerS, m.Step);
        Preference("train", m.Preference, m.Step);
    }

    /// <summary>An evaluation: <c>eval/loss</c> is the loss an evaluation of the run's objective reports in TRL —
    /// DPO's preference loss on held-out pairs, otherwise the held-out CE (the SFT loss).</summary>
    public void Write(EvalMetrics m)
    {
        Scalar("eval/loss", m.PreferenceLoss ?? m.HeldOutCe, m.Step);
        Scalar("eval/held_out_ce", m.HeldOutCe, m.Step);
        Scalar("eval/mean_r_theta", m.MeanRTheta, m.Step);
        Scalar("eval/tau_mean", m.MeanTau, m.Step);
        Preference("eval", m.Preference, m.Step);
    }

    /// <summary>Text at a step (TensorBoard's Text tab; the writer adds <c>/text_summary</c> to the tag): sample
    /// answers at an evaluation, for instance.</summary>
    public void Text(string tag, string text, int step) => _writer.add_text(tag, text, step);

    private void Preference(string prefix, PreferenceMetrics? p, int step)
    {
        if (p is null)
            return;
        Scalar($"{prefix}/rewards/chosen", p.RewardsChosen, step);
        Scalar($"{prefix}/rewards/rejected", p.RewardsRejected, step);
        Scalar($"{prefix}/rewards/accuracies", p.RewardsAccuracies, step);
        Scalar($"{prefix}/rewards/margins", p.RewardsMargins, step);
        Scalar($"{prefix}/logps/chosen", p.LogpsChosen, step);
        Scalar($"{prefix}/logps/rejected", p.LogpsRejected, step);
        Scalar($"{prefix}/logps/accuracies", p.LogpsAccuracies, step);
    }

    private void Scalar(string tag, double? value, int step)
    {
        if (value is { } v)
            _writer.add_scalar(tag, (float)v, step);
    }
}
