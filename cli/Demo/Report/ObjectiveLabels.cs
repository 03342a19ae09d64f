namespace PoFT.Cli.Demo.Report;

/// <summary>The demo's objective labels as the report prints and orders them: baseline first, then PoFT and its variants.</summary>
public static class ObjectiveLabels
{
    public const string Ce = "ce";
    public const string Poft = "poft";
    public const string BiPoft = "bi-poft";
    public const string CeKeepTop = "ce+keep-top";
    public const string PoftKeepTop = "poft+keep-top";

    private static readonly string[] Known = [Ce, Poft, BiPoft, CeKeepTop, PoftKeepTop];

    public static string Display(string label) => label switch
    {
        Ce => "CE",
        Poft => "PoFT",
        BiPoft => "bi-PoFT",
        CeKeepTop => "CE + keep-top",
        PoftKeepTop => "PoFT + keep-top",
        _ => label,
    };

    /// <summary>Known labels in the order above, any others after them alphabetically.</summary>
    public static IReadOnlyList<string> InOrder(IEnumerable<string> labels) =>
        [.. labels.Distinct()
            .OrderBy(l => Array.IndexOf(Known, l) is var i && i >= 0 ? i : Known.Length)
            .ThenBy(l => l, StringComparer.Ordinal)];
}
