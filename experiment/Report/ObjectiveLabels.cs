using PoFT.Shared.Training;

namespace PoFT.Experiment.Report;

/// <summary>The experiment's run labels — an objective's name (<see cref="ObjectiveNames"/>), with
/// "+keep-top" where the hard filter by r̄ is on and "+keep-top-ifd" where it ranks by IFD — in the order the runs go
/// and the report prints them: baseline first, then PoFT and its variants, then the other robust-SFT baselines.</summary>
public static class ObjectiveLabels
{
    private const string KeepTopSuffix = "+keep-top";
    private const string KeepTopIfdSuffix = "+keep-top-ifd";

    public static readonly string Ce = Of(ObjectiveKind.Ce, filter: null);
    public static readonly string Poft = Of(ObjectiveKind.Poft, filter: null);
    public static readonly string BiPoft = Of(ObjectiveKind.BiPoft, filter: null);
    public static readonly string CeKeepTop = Of(ObjectiveKind.Ce, KeepTopBy.Rbar);
    public static readonly string PoftKeepTop = Of(ObjectiveKind.Poft, KeepTopBy.Rbar);
    public static readonly string CeKeepTopIfd = Of(ObjectiveKind.Ce, KeepTopBy.Ifd);
    public static readonly string PoftKeepTopIfd = Of(ObjectiveKind.Poft, KeepTopBy.Ifd);
    public static readonly string Dft = Of(ObjectiveKind.Dft, filter: null);

    /// <summary>Every run of one noise level and seed, in order; <c>Filter</c> is what the hard filter ranks by (null: off).</summary>
    public static IReadOnlyList<(string Label, ObjectiveKind Objective, KeepTopBy? Filter)> Runs { get; } =
    [
        (Ce, ObjectiveKind.Ce, null),
        (Poft, ObjectiveKind.Poft, null),
        (BiPoft, ObjectiveKind.BiPoft, null),
        (CeKeepTop, ObjectiveKind.Ce, KeepTopBy.Rbar),
        (PoftKeepTop, ObjectiveKind.Poft, KeepTopBy.Rbar),
        (CeKeepTopIfd, ObjectiveKind.Ce, KeepTopBy.Ifd),
        (PoftKeepTopIfd, ObjectiveKind.Poft, KeepTopBy.Ifd),
        (Dft, ObjectiveKind.Dft, null),
    ];

    /// <summary>The runs beside PoFT's own comparison that <c>demo --baselines</c> adds: the IFD-filtered rows and DFT (the
    /// default demo stays within its time on two cores without them).</summary>
    public static IReadOnlySet<string> Baselines { get; } = new HashSet<string> { CeKeepTopIfd, PoftKeepTopIfd, Dft };

    /// <summary>The runs of one noise level and seed, in order: all of <see cref="Runs"/>, or those without <see cref="Baselines"/>.</summary>
    public static IReadOnlyList<(string Label, ObjectiveKind Objective, KeepTopBy? Filter)> RunsWith(bool baselines) =>
        [.. Runs.Where(r => baselines || !Baselines.Contains(r.Label))];

    private static readonly Dictionary<ObjectiveKind, string> Displayed = new()
    {
        [ObjectiveKind.Ce] = "CE",
        [ObjectiveKind.Poft] = "PoFT",
        [ObjectiveKind.BiPoft] = "bi-PoFT",
        [ObjectiveKind.Dft] = "DFT",
    };

    public static string Of(ObjectiveKind objective, KeepTopBy? filter) => ObjectiveNames.Of(objective) + filter switch
    {
        null => "",
        KeepTopBy.Rbar => KeepTopSuffix,
        _ => KeepTopIfdSuffix,
    };

    public static string Display(string label) =>
        Runs.FirstOrDefault(r => r.Label == label) is { Label: not null } run
            ? Displayed[run.Objective] + run.Filter switch { null => "", KeepTopBy.Rbar => " + keep-top", _ => " + keep-top (IFD)" }
            : label;

    /// <summary>A DPO run by the target it started from, e.g. "PoFT → DPO".</summary>
    public static string DisplayDpo(string start) => $"{Display(start)} → DPO";

    /// <summary>Known labels in the order of <see cref="Runs"/>, any others after them alphabetically.</summary>
    public static IReadOnlyList<string> InOrder(IEnumerable<string> labels) =>
        [.. labels.Distinct()
            .OrderBy(l => Runs.Select(r => r.Label).ToList().IndexOf(l) is var i && i >= 0 ? i : Runs.Count)
            .ThenBy(l => l, StringComparer.Ordinal)];
}
