using TorchSharp;

namespace PoFT.Bench;

/// <summary>Runs the selected parts in order. Utilisation needs the GEMM peak, so scorer or trainer
/// measure it too when the peak part itself was not asked for.</summary>
public static class BenchRunner
{
    public static async Task<BenchReport> RunAsync(BenchSettings settings, Action<string> log)
    {
        torch.set_num_threads(settings.Threads);
        var report = new BenchReport(BenchMachine.Describe(settings.Threads), settings);
        using var models = new BenchModels();
        var parts = settings.Parts;
        if (parts.Contains("peak") || parts.Contains("scorer") || parts.Contains("trainer"))
            Timed(log, "peak", () => PeakPart.Run(report));
        if (parts.Contains("scorer"))
            await TimedAsync(log, "scorer", () => ScorerPart.RunAsync(report, models));
        if (parts.Contains("graph"))
            Timed(log, "graph", () => GraphPart.Run(report, models));
        if (parts.Contains("trainer"))
            await TimedAsync(log, "trainer", () => TrainerPart.RunAsync(report, models));
        if (parts.Contains("pipeline"))
            await TimedAsync(log, "pipeline", () => PipelinePart.RunAsync(report, models));
        if (parts.Contains("memory"))
            Timed(log, "memory", () => MemoryPart.Run(report, models));
        if (parts.Contains("precision"))
            await TimedAsync(log, "precision", () => PrecisionPart.RunAsync(report, models));
        if (parts.Contains("data"))
            Timed(log, "data", () => DataPart.Run(report, log));
        if (parts.Contains("bf16"))
            Timed(log, "bf16", () => PrecisionTrainingPart.Run(report));
        if (parts.Contains("large"))
            Timed(log, "large", () => LargePart.Run(report, models));
        if (parts.Contains("tokenize"))
            Timed(log, "tokenize", () => TokenizePart.Run(report));
        if (parts.Contains("generate"))
            Timed(log, "generate", () => GeneratePart.Run(report));
        return report;
    }

    private static void Timed(Action<string> log, string part, Action run) =>
        TimedAsync(log, part, () => { run(); return Task.CompletedTask; }).GetAwaiter().GetResult();

    private static async Task TimedAsync(Action<string> log, string part, Func<Task> run)
    {
        log($"bench: {part}…");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await run();
        log($"bench: {part} done in {clock.Elapsed.TotalSeconds:F0} s");
    }
}
