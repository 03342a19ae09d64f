using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Training;

namespace PoFT.Trainer.Training;

/// <summary>What a run trains and evaluates on, and how the target model tokenizes a sample. The SFT
/// objectives train on <see cref="Train"/>; DPO trains on <see cref="TrainPairs"/> (and <see cref="Train"/> is
/// empty). <see cref="Eval"/> gives the held-out CE, <see cref="EvalPairs"/> the held-out preference metrics.</summary>
public sealed record TrainingData(IReadOnlyList<SftSample> Train, IReadOnlyList<SftSample> Eval, Func<SftSample, TokenizedSample> Tokenize)
{
    public IReadOnlyList<PreferencePair> TrainPairs { get; init; } = [];

    public IReadOnlyList<PreferencePair> EvalPairs { get; init; } = [];

    public bool HasEval => Eval.Count > 0 || EvalPairs.Count > 0;

    /// <summary>What the epoch order shuffles and micro-batches group: a sample alone for the SFT objectives,
    /// a pair's chosen and rejected completions together for DPO.</summary>
    /// <exception cref="InvalidOperationException">The data does not fit the objective.</exception>
    public IReadOnlyList<IReadOnlyList<SftSample>> Examples(ObjectiveKind objective)
    {
        if (objective == ObjectiveKind.Dpo)
            return Train.Count > 0 || TrainPairs.Count == 0
                ? throw new InvalidOperationException("objective 'dpo' trains on preference pairs (prompt, chosen, rejected), not on SFT samples: give preference data as train_data")
                : [.. TrainPairs.Select(p => p.Samples)];
        if (TrainPairs.Count > 0)
            throw new InvalidOperationException($"objective '{ObjectiveNames.Of(objective)}' trains on SFT samples, not on preference pairs: give SFT data as train_data, or use objective 'dpo'");
        // Held-out pairs are evaluated with the run's objective, which only DPO's can do.
        if (EvalPairs.Count > 0)
            throw new InvalidOperationException($"held-out preference pairs apply to objective 'dpo' only, not '{ObjectiveNames.Of(objective)}': give held-out SFT samples instead");
        return [.. Train.Select(s => (IReadOnlyList<SftSample>)[s])];
    }
}
