using System.Globalization;
using PoFT.Planner;
using PoFT.Scorer.Pipeline;
using PoFT.Checkpoints;

namespace PoFT.Bench;

/// <summary>
/// Part 5: peak RSS per configuration, each in a fresh child process (<see cref="MemoryProbe"/>), beside the
/// memory planner's prediction for the same configuration. The scorer's data grows (samples × length ×
/// vocabulary, what host logits would take) while its per-model token budget stays; its peak should stay
/// flat, and grow only with the budget. The trainer runs each <see cref="TrainerSetup"/> at 100m, at 100m
/// with the Llama-3 vocabulary and at 1.1B (TinyLlama's shape); a configuration the planner puts above this
/// machine's memory is planned only, not run.
/// </summary>
public static class MemoryPart
{
    private const double MiB = 1 << 20;

    /// <summary>The share of the machine's memory a configuration may be planned at and still be run: the
    /// rest is the margin for the planner's error and for whatever else runs.</summary>
    private const double RunnableShare = 0.6;

    /// <summary>The issue's bound on a 1.1B LoRA + checkpointing PoFT step.</summary>
    private const long LoraLimitBytes = 12L << 30;

    public static void Run(BenchReport report, BenchModels models)
    {
        Scorers(report, models);
        Trainers(report, models);
    }

    private static void Scorers(BenchReport report, BenchModels models)
    {
        var quick = report.Settings.Quick;
        int[] vocabularies = quick ? [512, 2048] : [32000, 128256];
        (int Samples, int Length)[] scorerData = quick ? [(4, 32), (16, 64)] : [(16, 256), (64, 512), (128, 1024)];
        foreach (var vocabulary in vocabularies)
        {
            var config = ModelConfig.Preset(quick ? "tiny" : "small", vocabulary);
            var onnx = models.Onnx($"memory-{vocabulary}", config);
            var budget = BatchBudget.For(config, headOnScoredPositions: true);
            var peaks = scorerData.Select(d => Scorer(report, onnx, config, d.Samples, d.Length, budget)).ToList();
            report.Compare($"memory.scorer.v{vocabulary}.largest_over_smallest",
                $"scorer peak, vocab {vocabulary}: largest / smallest data (flat ≈ 1)", peaks[^1], peaks[0]);
            var middle = scorerData[scorerData.Length / 2];
            var larger = Scorer(report, onnx, config, middle.Samples, middle.Length, new BatchBudget(budget.PaddedTokens, budget.ScoredTokens * 4));
            report.Compare($"memory.scorer.v{vocabulary}.budget_x4", $"scorer peak, vocab {vocabulary}: 4 × budget / budget", larger,
                peaks[scorerData.Length / 2]);
        }
    }

    private static Figure Scorer(BenchReport report, string onnx, ModelConfig config, int samples, int length, BatchBudget budget)
    {
        var id = $"memory.scorer.v{config.VocabSize}.n{samples}x{length}.t{budget.PaddedTokens}s{budget.ScoredTokens}";
        var label = $"scorer, vocab {config.VocabSize}, {samples}×{length} tokens, budget {budget} (host logits unbatched: {Gib(4L * samples * length * config.VocabSize)})";
        var measured = Probe(report, id, label, "scorer", onnx, samples, length, ScorerProbeOption(budget, SyntheticData.ResponseShare));
        // The probe is a process of its own: the runtime the trainer's estimate carries is its too.
        var session = ScorerMemory.Estimate(new ScorerWorkload("probe", config, new FileInfo(onnx).Length, length, PlanDevice.Cpu) { Budget = budget }, Calibration.ThisProject);
        Planned(report, id, label, Calibration.ThisProject.ProcessRuntimeBytes + session.Total, measured);
        return measured;
    }

    private static void Trainers(BenchReport report, BenchModels models)
    {
        var quick = report.Settings.Quick;
        var (batch, length) = quick ? (2, 32) : (8, 256);
        (string Name, ModelConfig Config)[] sizes = quick
            ? [("tiny", ModelConfig.Preset("tiny", 512)), ("tiny-v2048", ModelConfig.Preset("tiny", 2048))]
            : [("100m", BenchSize.Parse("100m").Config), ("100m-v128256", BenchSize.Parse("100m").Config with { VocabSize = 128256 }), ("1.1b", BenchSize.Parse("1.1b").Config)];
        var available = report.Machine.MemoryBytes;
        var measured = new Dictionary<(string Size, string Setup), Figure>();
        foreach (var (name, config) in sizes)
        {
            var configPath = models.Config($"trainer-{name}", config);
            foreach (var setup in TrainerSetup.All)
            {
                var id = $"memory.trainer.{name}.{setup.Id}";
                var label = $"trainer, {name} ({config.ParameterCount / 1e6:F0}M, vocab {config.VocabSize}), {setup.Label}, PoFT step {batch}×{length}";
                var plan = TrainerMemory.Estimate(setup.Plan(config, batch, length, SyntheticData.ResponseShare), Calibration.ThisProject);
                if (plan.Total > RunnableShare * available)
                {
                    report.Add("memory", $"{id}.planned", $"{label}: planned (not run: above {RunnableShare:P0} of this machine's {Gib(available)})", "MiB", Stats.Single(plan.Total / MiB));
                    continue;
                }
                Figure figure;
                try
                {
                    figure = Probe(report, id, label, "trainer", configPath, batch, length, setup.Id);
                }
                catch (ProbeFailedException e)
                {
                    // Killed for memory, most likely: the planner's figure is still worth having, and the rest of the part too.
                    report.Add("memory", $"{id}.planned", $"{label}: planned (the run failed: {e.Message})", "MiB", Stats.Single(plan.Total / MiB));
                    continue;
                }
                Planned(report, id, label, plan.Total, figure);
                measured[(name, setup.Id)] = figure;
            }
        }
        var (small, large) = (sizes[0].Name, sizes[1].Name);
        foreach (var setup in TrainerSetup.All)
            if (measured.TryGetValue((large, setup.Id), out var l) && measured.TryGetValue((small, setup.Id), out var s))
                report.Compare($"memory.trainer.{setup.Id}.vocab_ratio", $"trainer peak, {setup.Label}: vocab {sizes[1].Config.VocabSize} / {sizes[0].Config.VocabSize}", l, s,
                    targetMax: setup.LogitsChunk > 0 ? 1.3 : null);
        if (!quick && measured.TryGetValue(("1.1b", "lora-checkpointing"), out var lora))
            report.Note($"1.1b LoRA + checkpointing PoFT step: peak {Gib((long)(lora.Stats.Median * MiB))} " +
                $"({(lora.Stats.Median * MiB <= LoraLimitBytes ? "within" : "above")} the {Gib(LoraLimitBytes)} target).");
    }

    private static void Planned(BenchReport report, string id, string label, long plannedBytes, Figure measured)
    {
        var planned = report.Add("memory", $"{id}.planned", $"{label}: planned", "MiB", Stats.Single(plannedBytes / MiB));
        report.Compare($"{id}.planned_over_measured", $"{label}: planned / measured", planned, measured, target: 0.8, targetMax: 1.2);
    }

    /// <summary>The scorer probe's option: its batch budget and the response share of its data.</summary>
    public static string ScorerProbeOption(BatchBudget budget, double responseShare) =>
        string.Create(CultureInfo.InvariantCulture, $"{budget.PaddedTokens}:{budget.ScoredTokens}:{responseShare}");

    /// <summary>One workload's peak resident memory, in a fresh process.</summary>
    public static Figure Probe(BenchReport report, string id, string label, string workload, string model, int samples, int length, string option)
    {
        var bytes = RunChild([workload, model, $"{samples}", $"{length}", option, $"{report.Settings.Threads}"]);
        return report.Add("memory", id, label, "MiB", Stats.Single(bytes / MiB));
    }

    internal static long RunChild(IReadOnlyList<string> arguments) =>
        (long)ProbeProcess.Number(ProbeProcess.Run(arguments), MemoryProbe.ResultKey, arguments);

    private static string Gib(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / MiB:F0} MiB";
}
