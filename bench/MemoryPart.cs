using System.Diagnostics;
using System.Globalization;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Checkpoints;

namespace PoFT.Bench;

/// <summary>
/// Part 5: peak RSS per configuration, each in a fresh child process (<see cref="MemoryProbe"/>). The
/// scorer's data grows (samples × length × vocabulary, what host logits would take) while its per-model
/// token budget stays; its peak should stay flat, and grow only with the budget. The trainer's grows with
/// its batch's tokens × vocabulary, which it must hold for the backward pass.
/// </summary>
public static class MemoryPart
{
    public static void Run(BenchReport report, BenchModels models)
    {
        var quick = report.Settings.Quick;
        int[] vocabularies = quick ? [512, 2048] : [32000, 128256];
        (int Samples, int Length)[] scorerData = quick ? [(4, 32), (16, 64)] : [(16, 256), (64, 512), (128, 1024)];
        (int Batch, int Length)[] trainerBatches = quick ? [(2, 32), (4, 64)] : [(2, 256), (8, 256)];
        foreach (var vocabulary in vocabularies)
        {
            var config = ModelConfig.Preset(quick ? "tiny" : "small", vocabulary);
            var name = $"memory-{vocabulary}";
            var onnx = models.Onnx(name, config);
            var budget = AlignedScorerModel.TokenBudgetFor(vocabulary);
            var peaks = scorerData.Select(d => Scorer(report, onnx, vocabulary, d.Samples, d.Length, budget)).ToList();
            report.Compare($"memory.scorer.v{vocabulary}.largest_over_smallest",
                $"scorer peak, vocab {vocabulary}: largest / smallest data (flat ≈ 1)", peaks[^1], peaks[0]);
            var middle = scorerData[scorerData.Length / 2];
            var larger = Scorer(report, onnx, vocabulary, middle.Samples, middle.Length, budget * 4);
            report.Compare($"memory.scorer.v{vocabulary}.budget_x4", $"scorer peak, vocab {vocabulary}: 4 × budget / budget", larger,
                peaks[scorerData.Length / 2]);
            var checkpoint = models.Checkpoint(name, config);
            foreach (var (batch, length) in trainerBatches)
                Probe(report, $"memory.trainer.v{vocabulary}.b{batch}x{length}",
                    $"trainer step, vocab {vocabulary}, batch {batch}×{length} ({batch * length} tokens; logits {Gib(4L * batch * length * vocabulary)})",
                    "trainer", checkpoint, batch, length, 0, report.Settings.Threads);
        }
    }

    private static Figure Scorer(BenchReport report, string onnx, int vocabulary, int samples, int length, int budget) =>
        Probe(report, $"memory.scorer.v{vocabulary}.n{samples}x{length}.t{budget}",
            $"scorer, vocab {vocabulary}, {samples}×{length} tokens, budget {budget} (host logits unbatched: {Gib(4L * samples * length * vocabulary)})",
            "scorer", onnx, samples, length, budget, report.Settings.Threads);

    private static Figure Probe(BenchReport report, string id, string label, string workload, string model, int samples, int length, int budget, int threads)
    {
        var bytes = RunChild([workload, model, $"{samples}", $"{length}", $"{budget}", $"{threads}"]);
        return report.Add("memory", id, label, "MiB", Stats.Single(bytes / 1048576.0));
    }

    /// <summary>Runs this project's own executable (Program.cs: <see cref="MemoryProbe"/>) with
    /// <paramref name="arguments"/>: through the dotnet host when that is how this process was started,
    /// else through the apphost the build puts beside PoFT.Bench.dll.</summary>
    private static long RunChild(IReadOnlyList<string> arguments)
    {
        var assembly = typeof(MemoryPart).Assembly.Location;
        var host = Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : Path.ChangeExtension(assembly, null);
        if (!File.Exists(host))
            throw new InvalidOperationException($"cannot start a memory probe: {host} not found");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (host != Path.ChangeExtension(assembly, null))
            start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {host}");
        var error = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var result = output.Split('\n').LastOrDefault(l => l.StartsWith(MemoryProbe.ResultPrefix, StringComparison.Ordinal));
        if (child.ExitCode != 0 || result is null)
            throw new InvalidOperationException($"memory probe `{string.Join(' ', arguments)}` failed (exit {child.ExitCode}): {error.Result.Trim()}");
        return long.Parse(result[MemoryProbe.ResultPrefix.Length..].Trim(), CultureInfo.InvariantCulture);
    }

    private static string Gib(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / 1048576.0:F0} MiB";
}
