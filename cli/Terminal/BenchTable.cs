using System.Globalization;
using PoFT.Bench;
using Spectre.Console;

namespace PoFT.Cli.Terminal;

/// <summary>The report as tables: the machine, each part's figures (median [min–max]), the comparisons
/// with their targets, and the notes on missed targets.</summary>
public static class BenchTable
{
    public static void Write(BenchReport report, IAnsiConsole console)
    {
        var m = report.Machine;
        var s = report.Settings;
        console.MarkupLine(Markup.Escape($"machine: {m.Cpu}, {m.Cores} cores, {m.MemoryBytes / (double)(1L << 30):F0} GiB; " +
            $"ONNX Runtime {m.OnnxRuntime} ({m.OrtIntraOpThreads} intra-op threads), TorchSharp {m.TorchSharp} ({m.TorchThreads} threads)"));
        console.MarkupLine(Markup.Escape($"each figure: median [min–max] of {s.Repeats} repeats after {s.Warmup} warm-up; " +
            $"lengths log-normal, median {s.MedianLength}, max {s.MaxLength}; {s.Samples} samples"));
        foreach (var size in s.ModelSizes)
            console.MarkupLine(Markup.Escape($"  {size.Describe()}"));

        foreach (var part in report.Figures.Select(f => f.Part).Distinct())
        {
            var table = new Table().Title(part).AddColumn("figure").AddColumn(new TableColumn("median").RightAligned())
                .AddColumn(new TableColumn("min–max").RightAligned()).AddColumn("unit");
            foreach (var f in report.Figures.Where(f => f.Part == part))
                table.AddRow(Markup.Escape(f.Label), Number(f.Stats.Median), $"{Number(f.Stats.Min)}–{Number(f.Stats.Max)}", Markup.Escape(f.Unit));
            console.Write(table);
        }

        if (report.Ratios.Count > 0)
        {
            var ratios = new Table().Title("comparisons (ratio of medians)").AddColumn("comparison").AddColumn(new TableColumn("ratio").RightAligned())
                .AddColumn(new TableColumn("target").RightAligned()).AddColumn("met");
            foreach (var r in report.Ratios)
                ratios.AddRow(Markup.Escape(r.Label), r.Value.ToString("F2", CultureInfo.InvariantCulture),
                    Target(r),
                    r.Met switch { true => "[green]yes[/]", false => "[red]no[/]", null => "" });
            console.Write(ratios);
        }
        foreach (var note in report.Notes)
            console.MarkupLine(Markup.Escape($"note: {note}"));
    }

    private static string Target(Ratio r) => (r.Target, r.TargetMax) switch
    {
        ({ } low, { } high) => $"{F2(low)}–{F2(high)}",
        ({ } low, null) => $"≥ {F2(low)}",
        (null, { } high) => $"≤ {F2(high)}",
        _ => "",
    };

    private static string F2(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Number(double value) => value switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("F2", CultureInfo.InvariantCulture),
        _ => value.ToString("G3", CultureInfo.InvariantCulture),
    };
}
