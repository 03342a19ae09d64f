using System.Text;
using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>The text of report.md: what was run, the verdict, the tables, DPO where it ran, the plots, and how to reproduce it.</summary>
public static class ReportMarkdown
{
    private static readonly string[] Challengers = [ObjectiveLabels.BiPoft, ObjectiveLabels.CeKeepTop, ObjectiveLabels.PoftKeepTop,
        ObjectiveLabels.CeKeepTopIfd, ObjectiveLabels.PoftKeepTopIfd, ObjectiveLabels.Dft];

    public static string Render(ExperimentView view, IReadOnlyList<PlotFile> plots)
    {
        var results = view.Results;
        var text = new StringBuilder();
        text.Append("# PoFT noise-robustness experiment\n\n").Append(Summary(view)).Append("\n\n");

        text.Append("## Verdict\n\n").Append(VerdictSection(view)).Append('\n');

        text.Append("## Held-out clean CE\n\n")
            .Append("Cross-entropy (nats per token) of the fine-tuned model on held-out clean samples, mean ± sample std over seeds; ")
            .Append("lower is better. Best epoch: each run's lowest over epochs ≥ 1. Δ vs CE: this row's last-epoch mean minus CE's at the same noise level.\n\n")
            .Append(ResultTables.HeldOut(view)).Append('\n');

        if (ResultTables.Choices(view) is { } choices)
            text.Append("## Held-out multiple choice\n\n")
                .Append("Each held-out question with its true gloss among the glosses of three other held-out words (`data/choices-test.jsonl`, ")
                .Append("chance 0.25), scored as `eval` scores a task: acc = the choice with the highest summed log-prob is the true one, ")
                .Append("acc_norm = the same per character (lm-eval-harness's definitions, docs/evaluation.md). Before = the base model; after = ")
                .Append("the run's final model; mean ± sample std over seeds.\n\n")
                .Append(choices).Append('\n');

        var scores = Statistics.SummariseReferenceScores(results.ReferenceScores);
        if (scores.Count > 0)
            text.Append("## Reference scores r̄: clean vs noise\n\n")
                .Append("AUC = probability that a clean sample has a higher r̄ than a noise sample (ties count half), per seed, then mean ± std over seeds. ")
                .Append("1 means r̄ alone separates the noise perfectly; 0.5 means not at all.\n\n")
                .Append(ResultTables.ReferenceScores(scores)).Append('\n');

        if (results.Filters is { Count: > 0 } filters)
            text.Append("## Which filter catches the noise\n\n")
                .Append("Each hard filter keeps the top share of a training set and drops the rest: by r̄ (the aligned models' mean ")
                .Append("log-likelihood of the response, highest kept) or by IFD (the mean over aligned models of exp(r(y) − r(y|x)), ")
                .Append("the response's perplexity with its prompt over without it, lowest kept: a response its prompt does not help predict ")
                .Append("is dropped). Precision = share of the dropped samples that are marked noise; recall = share of the noise dropped. ")
                .Append("Both rank the same score file (`score --ifd` of the training set), per seed.\n\n")
                .Append(ResultTables.Filters(filters)).Append('\n');

        if (ResultTables.Tau(view, view.HighestNoise) is { } tau)
            text.Append($"## τ per epoch at noise {ReportNumbers.Plain(view.HighestNoise)}\n\n")
                .Append("PoFT's per-sample weight τ = σ(r̄ − r_θ), mean over the steps of each epoch and over seeds. ")
                .Append("PoFT works as a soft filter where τ stays high on clean samples and low on noise.\n\n")
                .Append(tau).Append('\n');

        if (AnswersSection.Render(view) is { } answers)
            text.Append(answers);

        if (DpoSection.Render(view) is { } dpo)
            text.Append(dpo);

        if (plots.Count > 0)
        {
            text.Append("## Plots\n\n");
            foreach (var plot in plots)
                text.Append($"![{plot.Caption}]({plot.FileName})\n\n");
        }

        text.Append("## Stage times\n\n")
            .Append(MarkdownTable.Render(["Stage", "Seconds", "Cached"], [
                .. results.Stages.Select(s => (IReadOnlyList<string>)[s.Stage, ReportNumbers.Fixed(s.Seconds, 1), s.Cached ? "yes" : "no"]),
                ["**Total**", ReportNumbers.Fixed(results.Stages.Sum(s => s.Seconds), 1), ""],
            ])).Append('\n');

        text.Append("## Setup\n\nCommand:\n\n```sh\n").Append(results.Command).Append("\n```\n\n")
            .Append("Machine: ").Append(results.Machine).Append("\n\n");
        if (results.AlignedModels.Count > 0)
            text.Append("Aligned models: ").AppendJoin(", ", results.AlignedModels.Select(m => $"`{m}`")).Append("\n\n");
        text.Append(MarkdownTable.Render(["Library", "Version"],
            results.Versions.Select(v => (IReadOnlyList<string>)[v.Name, v.Version]))).Append('\n');

        if (!string.IsNullOrWhiteSpace(results.Notes))
            text.Append("## Setup notes\n\n").Append(results.Notes.Trim()).Append('\n');
        return text.ToString();
    }

    private static string Summary(ExperimentView view)
    {
        var results = view.Results;
        var seeds = results.Runs.Select(r => r.Seed).Distinct().Count();
        var noise = string.Join(", ", view.NoiseLevels.Select(ReportNumbers.Plain));
        var objectives = string.Join(", ", view.Objectives.Select(ObjectiveLabels.Display));
        var aligned = results.AlignedModels.Count;
        return $"A target model was fine-tuned with each objective ({objectives}) on training data in which a fraction " +
               $"({noise}) of the samples is the paper's hand-crafted noise: instructions paired with another sample's response, " +
               $"whose characters are randomly inserted, deleted and substituted. Each combination ran with {seeds} seed(s), " +
               $"{results.Runs.Count} runs in all. {aligned} aligned model(s) scored every training sample; r̄ is their mean " +
               "length-normalised log-likelihood of the response. Quality is the cross-entropy on held-out clean samples after " +
               "every epoch (epoch 0 is the base model). The question is the paper's Figure 3d/e: does r̄ tell noise from clean " +
               "data, and does PoFT stay ahead of plain CE as noise grows?";
    }

    private static string VerdictSection(ExperimentView view)
    {
        var noise = view.HighestNoise;
        var text = new StringBuilder();
        var poft = Comparison.Of(view.Results.Runs, ObjectiveLabels.Poft, ObjectiveLabels.Ce, noise);
        text.Append(poft is null
            ? $"No PoFT and CE runs share a seed at noise {ReportNumbers.Plain(noise)}: no verdict.\n"
            : $"**{Verdict.Sentence(poft)}**\n");
        var others = Challengers
            .Select(o => Comparison.Of(view.Results.Runs, o, ObjectiveLabels.Ce, noise))
            .OfType<Comparison>()
            .ToArray();
        if (others.Length > 0)
        {
            text.Append('\n');
            foreach (var other in others)
                text.Append("- ").Append(Verdict.Sentence(other)).Append('\n');
        }
        return text.ToString();
    }
}
