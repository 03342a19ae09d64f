using PoFT.Trainer.Training;

namespace PoFT.Experiment;

/// <summary>Shows one training run's steps while it runs (the CLI's progress bar), closed when it ends.</summary>
public interface ITrainingDisplay : IProgress<StepMetrics>, IAsyncDisposable;
