using System.Text;
using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>The report's DPO section: per noise level DPO ran at, what ran, the table and the verdict.</summary>
public static class DpoSection
{
    public const string Heading = "## PoFT → DPO vs CE → DPO";

    /// <summary>Null where the DPO stage did not run.</summary>
    public static string? Render(ExperimentView view)
    {
        if (view.Dpo.Count == 0)
            return null;
        var text = new StringBuilder();
        text.Append(Heading).Append("\n\n")
            .Append("Preference accuracy: the share of held-out preference pairs whose chosen completion the model finds more likely ")
            .Append("per token (`logps/accuracies`), a property of the model alone, so it compares before with after and one start ")
            .Append("with the other; higher is better. Held-out CE: clean cross-entropy on the held-out questions, as above; lower is better. ")
            .Append("Reward accuracy and margin (TRL's `rewards/accuracies`, `rewards/margins`) are against each run's own reference, ")
            .Append("its starting model, so they are 0 before DPO. Mean ± sample std over seeds; the verdict pairs the runs by seed.\n\n");
        foreach (var noise in view.DpoNoiseLevels)
            text.Append(Setup(view, noise)).Append("\n\n")
                .Append(ResultTables.Dpo(view, noise)).Append('\n')
                .Append(VerdictLine(view, noise)).Append('\n');
        return text.ToString();
    }

    private static string Setup(ExperimentView view, double noise)
    {
        var summaries = view.DpoSummariesAt(noise);
        var starts = string.Join(" and the ", summaries.Select(s => ObjectiveLabels.Display(s.Start)));
        int[] seeds = [.. summaries.SelectMany(s => s.Seeds).Distinct().Order()];
        // One number unless the starts trained on different pair sets, which the text should not hide.
        var pairs = string.Join(" or ", summaries.SelectMany(s => s.TrainPairs).Distinct().Order());
        return $"At noise {ReportNumbers.Plain(noise)}, DPO ran from the {starts} target with {seeds.Length} seed(s) ({string.Join(", ", seeds)}), " +
               $"on {pairs} training preference pairs, each run with its starting model as its reference.";
    }

    private static string VerdictLine(ExperimentView view, double noise) =>
        DpoComparison.Of(view.Dpo, ObjectiveLabels.Poft, ObjectiveLabels.Ce, noise) is { } comparison
            ? $"**{Verdict.Sentence(comparison)}**\n"
            : $"No {ObjectiveLabels.DisplayDpo(ObjectiveLabels.Poft)} and {ObjectiveLabels.DisplayDpo(ObjectiveLabels.Ce)} runs share a seed at noise {ReportNumbers.Plain(noise)}: no verdict.\n";
}
