using PoFT.Shared.Training;

namespace PoFT.Experiment.Report;

/// <summary>The experiment's run labels — an objective's name (<see cref="ObjectiveNames"/>), with
/// "+keep-top" where the hard filter is on — in the order the runs go and the report prints them:
/// baseline first, then PoFT and its variants.</summary>
public static class ObjectiveLabels
{
    private const string KeepTopSuffix = "+keep-top";

    public static readonly string Ce = Of(ObjectiveKind.Ce, keepTop: false);
    public static readonly string Poft = Of(ObjectiveKind.Poft, keepTop: false);
    public static readonly string BiPoft = Of(ObjectiveKind.BiPoft, keepTop: false);
    public static readonly string CeKeepTop = Of(ObjectiveKind.Ce, keepTop: true);
    public static readonly string PoftKeepTop = Of(ObjectiveKind.Poft, keepTop: true);

    /// <summary>Every run of one noise level and seed, in order.</summary>
    public static IReadOnlyList<(string Label, ObjectiveKind Objective, bool KeepTop)> Runs { get; } =
    [
        (Ce, ObjectiveKind.Ce, false),
        (Poft, ObjectiveKind.Poft, false),
        (BiPoft, ObjectiveKind.BiPoft, false),
        (CeKeepTop, ObjectiveKind.Ce, true),
        (PoftKeepTop, ObjectiveKind.Poft, true),
    ];

    private static readonly Dictionary<ObjectiveKind, string> Displayed = new()
    {
        [ObjectiveKind.Ce] = "CE",
        [ObjectiveKind.Poft] = "PoFT",
        [ObjectiveKind.BiPoft] = "bi-PoFT",
    };

    public static string Of(ObjectiveKind objective, bool keepTop) => ObjectiveNames.Of(objective) + (keepTop ? KeepTopSuffix : "");

    public static string Display(string label) =>
        Runs.FirstOrDefault(r => r.Label == label) is { Label: not null } run ? Displayed[run.Objective] + (run.KeepTop ? " + keep-top" : "") : label;

    /// <summary>A DPO run by the target it started from, e.g. "PoFT → DPO".</summary>
    public static string DisplayDpo(string start) => $"{Display(start)} → DPO";

    /// <summary>Known labels in the order of <see cref="Runs"/>, any others after them alphabetically.</summary>
    public static IReadOnlyList<string> InOrder(IEnumerable<string> labels) =>
        [.. labels.Distinct()
            .OrderBy(l => Runs.Select(r => r.Label).ToList().IndexOf(l) is var i && i >= 0 ? i : Runs.Count)
            .ThenBy(l => l, StringComparer.Ordinal)];
}
