using PoFT.Trainer.Training.TensorBoard;

namespace PoFT.Trainer.Training;

/// <summary>
/// Where a run's steps and evaluations go as they happen: metrics.jsonl, TensorBoard (unless switched off) and the
/// caller's progress — which hears of evaluations too when it is also an <see cref="IProgress{EvalMetrics}"/> (the
/// CLI prints a line for each). Keeps the best evaluation for the run's summary.
/// </summary>
public sealed class RunRecorder : IDisposable
{
    private readonly MetricsLog _metrics;
    private readonly TensorBoardLog? _tensorBoard;
    private readonly IProgress<StepMetrics>? _progress;

    /// <param name="resumedAt">The step of the checkpoint a resumed run continues from; null for a new run.</param>
    public RunRecorder(string outputDirectory, int? resumedAt, bool tensorBoard, IProgress<StepMetrics>? progress)
    {
        // A resumed run re-runs the steps after its checkpoint: their earlier records go, so none is there twice.
        _metrics = MetricsLog.Open(Path.Combine(outputDirectory, MetricsLog.FileName), keepThroughStep: resumedAt);
        _tensorBoard = tensorBoard ? TensorBoardLog.Open(outputDirectory, keepThroughStep: resumedAt) : null;
        _progress = progress;
    }

    /// <summary>The evaluation of this process with the lowest held-out CE (DPO without held-out SFT samples:
    /// the lowest held-out preference loss).</summary>
    public EvalMetrics? Best { get; private set; }

    /// <summary>The TensorBoard log, for text (sample answers) beside the scalars; null when switched off.</summary>
    public TensorBoardLog? TensorBoard => _tensorBoard;

    public void Step(StepMetrics metrics)
    {
        _metrics.Write(metrics);
        _tensorBoard?.Write(metrics);
        _progress?.Report(metrics);
    }

    public EvalMetrics Eval(EvalMetrics metrics)
    {
        _metrics.Write(metrics);
        _tensorBoard?.Write(metrics);
        (_progress as IProgress<EvalMetrics>)?.Report(metrics);
        if (Best is null || Loss(metrics) < Loss(Best))
            Best = metrics;
        return metrics;
    }

    private static double Loss(EvalMetrics m) => m.HeldOutCe ?? m.PreferenceLoss ?? double.PositiveInfinity;

    public void Dispose() => _metrics.Dispose();
}
