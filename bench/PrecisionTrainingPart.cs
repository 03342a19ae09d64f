using System.Globalization;

namespace PoFT.Bench;

/// <summary>
/// Part <c>bf16</c> (opt-in): the demo's target trained on the CPU in fp32 and in bf16 (with its fp32 master copy,
/// trainer/Model/MasterWeights.cs) from the same initialisation, data and order, each in a fresh process
/// (<see cref="PrecisionTrainingProbe"/>): held-out CE, training tokens/s and peak resident memory side by side.
/// A second fp32 run with another data order (seed) gives the seed noise that the bf16 run's CE gap is read
/// against.
/// </summary>
public static class PrecisionTrainingPart
{
    private const double MiB = 1 << 20;

    public static void Run(BenchReport report)
    {
        var steps = report.Settings.Quick ? 4 : 40;
        var c = PrecisionTrainingProbe.DemoTarget;
        report.Note($"bf16: the demo's target ({c.ParameterCount / 1e6:F1}M parameters), {steps} CE steps of {PrecisionTrainingProbe.BatchSize} " +
            $"Markov-chain samples (64 to {PrecisionTrainingProbe.MaxLength} tokens), lr {PrecisionTrainingProbe.LearningRate}, held-out CE on {PrecisionTrainingProbe.HeldOut} samples");
        var fp32 = Train(report, "float32", seed: 1, steps);
        var bf16 = Train(report, "bfloat16", seed: 1, steps);
        var otherSeed = Train(report, "float32", seed: 2, steps);
        report.Compare("bf16.speed_vs_fp32", "bf16 / fp32 training tokens/s (CPU)", bf16.Speed, fp32.Speed);
        report.Compare("bf16.memory_vs_fp32", "bf16 / fp32 peak resident memory", bf16.Memory, fp32.Memory);
        report.Add("bf16", "bf16.ce_gap", "|held-out CE bf16 − fp32|, same seed", "nats/token", Stats.Single(Math.Abs(bf16.Ce - fp32.Ce)));
        report.Add("bf16", "bf16.seed_gap", "|held-out CE fp32 seed 2 − seed 1|: the seed noise", "nats/token", Stats.Single(Math.Abs(otherSeed.Ce - fp32.Ce)));
    }

    private sealed record TrainedRun(double Ce, Figure Speed, Figure Memory);

    private static TrainedRun Train(BenchReport report, string dtype, int seed, int steps)
    {
        string[] arguments = [PrecisionTrainingProbe.Workload, dtype, seed.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture),
            report.Settings.Threads.ToString(CultureInfo.InvariantCulture)];
        var results = ProbeProcess.Run(arguments);
        var id = $"bf16.{dtype}.seed{seed}";
        var ce = ProbeProcess.Number(results, "eval_ce", arguments);
        report.Add("bf16", $"{id}.eval_ce", $"{dtype}, seed {seed}: held-out CE after {steps} steps", "nats/token", Stats.Single(ce));
        var speed = report.Add("bf16", $"{id}.tokens_per_s", $"{dtype}, seed {seed}: training tokens/s", "tokens/s",
            Stats.Single(ProbeProcess.Number(results, "tokens_per_s", arguments)));
        var memory = report.Add("bf16", $"{id}.peak_rss", $"{dtype}, seed {seed}: peak resident memory (fresh process)", "MiB",
            Stats.Single(ProbeProcess.Number(results, MemoryProbe.ResultKey, arguments) / MiB));
        return new TrainedRun(ce, speed, memory);
    }
}
