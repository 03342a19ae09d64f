using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>The report's number tables: held-out CE per objective and noise level, r̄ separability, τ per epoch,
/// and DPO's held-out numbers per start.</summary>
public static class ResultTables
{
    private const int Digits = 4;
    private const string Missing = "—";

    /// <summary>Rows objective × noise level; Δ is the objective's mean last-epoch CE minus CE's at the same noise.</summary>
    public static string HeldOut(ExperimentView view) => MarkdownTable.Render(
        ["Objective", "Noise", "Runs (seeds)", "Held-out CE, last epoch", "Held-out CE, best epoch", "Best epoch", "Δ vs CE (last)"],
        view.Objectives.SelectMany(objective => view.NoiseLevels
            .Select(noise => view.Summary(objective, noise))
            .OfType<HeldOutSummary>()
            .Select(s => (IReadOnlyList<string>)
            [
                ObjectiveLabels.Display(s.Objective),
                ReportNumbers.Plain(s.Noise),
                $"{s.Seeds.Count} ({string.Join(", ", s.Seeds)})",
                s.LastEpoch.Format(Digits),
                s.BestEpoch.Format(Digits),
                string.Join(", ", s.BestEpochs),
                DeltaVsCe(view, s),
            ])));

    /// <summary>Rows objective × noise level where runs measured the multiple-choice task: accuracy before fine-tuning (the
    /// base model's) and after, mean ± std over seeds, beside the same runs' last-epoch held-out CE; null where none did.</summary>
    public static string? Choices(ExperimentView view)
    {
        var rows = view.Objectives.SelectMany(objective => view.NoiseLevels.Select(noise => view.Runs(objective, noise)
                .Where(r => r.ChoicesBefore is not null && r.ChoicesAfter is not null).ToList()))
            .Where(runs => runs.Count > 0)
            .Select(runs => (IReadOnlyList<string>)
            [
                ObjectiveLabels.Display(runs[0].Objective),
                ReportNumbers.Plain(runs[0].Noise),
                $"{runs.Count} ({string.Join(", ", runs.Select(r => r.Seed))})",
                MeanStd.Of([.. runs.Select(r => r.ChoicesBefore!.Acc)]).Format(Digits),
                MeanStd.Of([.. runs.Select(r => r.ChoicesAfter!.Acc)]).Format(Digits),
                MeanStd.Of([.. runs.Select(r => r.ChoicesAfter!.AccNorm)]).Format(Digits),
                MeanStd.Of([.. runs.Select(r => r.Epochs[^1].HeldOutCe)]).Format(Digits),
            ]).ToList();
        return rows.Count == 0 ? null : MarkdownTable.Render(
            ["Objective", "Noise", "Runs (seeds)", "acc, before", "acc, after", "acc_norm, after", "Held-out CE, last epoch"], rows);
    }

    /// <summary>Per noise level with noise samples: AUC of r̄ (clean as positives, since higher r̄ means cleaner).</summary>
    public static string ReferenceScores(IReadOnlyList<ReferenceScoreSummary> summaries) => MarkdownTable.Render(
        ["Noise", "Seeds", "AUC clean vs noise", "Mean r̄ clean", "Mean r̄ noise", "Samples clean / noise"],
        summaries.Select(s => (IReadOnlyList<string>)
        [
            ReportNumbers.Plain(s.Noise),
            s.Auc.N.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.Auc.Format(Digits),
            ReportNumbers.Fixed(s.MeanClean, Digits),
            ReportNumbers.Fixed(s.MeanNoise, Digits),
            $"{s.CleanCount} / {s.NoiseCount}",
        ]));

    /// <summary>One row per filter and noise level: what keeping the top samples by r̄ or by IFD removed, as precision and
    /// recall of the noise marks, mean ± std over seeds.</summary>
    public static string Filters(IReadOnlyList<FilterCatch> catches) => MarkdownTable.Render(
        ["Filter", "Noise", "Seeds", "Removed", "Noise removed", "Precision", "Recall"],
        catches.GroupBy(c => (c.By, c.Noise, c.KeepPercent)).OrderBy(g => g.Key.Noise).ThenBy(g => g.Key.By == "rbar" ? 0 : 1)
            .Select(g => (IReadOnlyList<string>)
            [
                $"keep top {ReportNumbers.Plain(g.Key.KeepPercent)} % by {(g.Key.By == "rbar" ? "r̄ (highest)" : "IFD (lowest)")}",
                ReportNumbers.Plain(g.Key.Noise),
                g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture),
                MeanStd.Of([.. g.Select(c => (double)c.Removed)]).Format(0),
                MeanStd.Of([.. g.Select(c => (double)c.NoiseRemoved)]).Format(0),
                MeanStd.Of([.. g.Select(c => c.Precision)]).Format(Digits),
                MeanStd.Of([.. g.Select(c => c.Recall)]).Format(Digits),
            ]));

    /// <summary>One row per start at one noise level: the held-out numbers before and after DPO.</summary>
    public static string Dpo(ExperimentView view, double noise) => MarkdownTable.Render(
        ["Start", "Held-out preference accuracy, before", "Held-out preference accuracy, after", "Held-out CE, before", "Held-out CE, after",
            "Reward accuracy, after", "Reward margin, after"],
        view.DpoSummariesAt(noise).Select(s => (IReadOnlyList<string>)
        [
            ObjectiveLabels.DisplayDpo(s.Start),
            s.PreferenceAccuracyBefore.Format(Digits),
            s.PreferenceAccuracyAfter.Format(Digits),
            s.HeldOutCeBefore.Format(Digits),
            s.HeldOutCeAfter.Format(Digits),
            s.RewardAccuracyAfter.Format(Digits),
            s.RewardMarginAfter.Format(Digits),
        ]));

    /// <summary>Mean τ over seeds per epoch on clean and noise samples, for the objectives that have τ at that noise;
    /// null where none has.</summary>
    public static string? Tau(ExperimentView view, double noise)
    {
        var columns = TauPlot.Objectives
            .SelectMany(o => new[]
            {
                (Header: $"{ObjectiveLabels.Display(o)} τ clean", Points: Statistics.PerEpoch(view.Runs(o, noise), e => e.TauClean)),
                (Header: $"{ObjectiveLabels.Display(o)} τ noise", Points: Statistics.PerEpoch(view.Runs(o, noise), e => e.TauNoise)),
            })
            .Where(c => c.Points.Count > 0)
            .ToArray();
        if (columns.Length == 0)
            return null;
        var epochs = columns.SelectMany(c => c.Points.Select(p => p.Epoch)).Distinct().Order();
        return MarkdownTable.Render(
            ["Epoch", .. columns.Select(c => c.Header)],
            epochs.Select(epoch => (IReadOnlyList<string>)
            [
                epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                .. columns.Select(c => c.Points.FirstOrDefault(p => p.Epoch == epoch) is { } p ? ReportNumbers.Fixed(p.Value.Mean, Digits) : Missing),
            ]));
    }

    private static string DeltaVsCe(ExperimentView view, HeldOutSummary s) =>
        s.Objective == ObjectiveLabels.Ce || view.Summary(ObjectiveLabels.Ce, s.Noise) is not { } ce
            ? Missing
            : ReportNumbers.Signed(s.LastEpoch.Mean - ce.LastEpoch.Mean, Digits);
}
