using System.Diagnostics;
using System.Globalization;
using PoFT.Checkpoints;
using PoFT.Shared.Training;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;
using TorchSharp;

namespace PoFT.Bench;

/// <summary>
/// The child side of the bf16 training part (<see cref="PrecisionTrainingPart"/>): trains the demo's target shape
/// from one fixed initialisation in one dtype, in a fresh process so that its peak resident set is its own, and
/// prints its held-out cross-entropy, its training tokens/s and that peak.
/// Arguments: train-precision DTYPE SEED STEPS THREADS.
/// </summary>
public static class PrecisionTrainingProbe
{
    public const string Workload = "train-precision";
    public const int BatchSize = 16, MaxLength = 160, HeldOut = 64;
    public const double LearningRate = 1e-3;

    /// <summary>The demo's target (experiment/ExperimentPlan.cs, TargetShape, with GPT-2's 50,257 ids; tied, 512
    /// positions, as ModelShape.ToConfig makes it): 6.9M parameters, most of them the embedding.</summary>
    public static ModelConfig DemoTarget { get; } = ModelConfig.Llama(50257, hidden: 128, intermediate: 384, layers: 4, heads: 4, kvHeads: 2)
        with { MaxPositionEmbeddings = 512, TieWordEmbeddings = true };

    public static bool Handles(string workload) => workload == Workload;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine($"usage: PoFT.Bench {Workload} DTYPE SEED STEPS THREADS (the bf16 part's probe; run `poft bench --parts bf16` instead)");
            return 2;
        }
        int Int(int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
        var (dtype, seed, steps) = (args[1], Int(2), Int(3));
        torch.set_num_threads(Int(4));
        // 256 active ids, 4 successors each: held-out CE can fall from ln 50257 ≈ 10.8 to ln 4 ≈ 1.39.
        var data = MarkovData.Create(steps * BatchSize + HeldOut, MaxLength, DemoTarget.VocabSize, activeTokens: 256, successors: 4, chainSeed: 7, seed: 11);
        var (train, eval) = (data.Samples.Take(steps * BatchSize).ToList(), data.Samples.Skip(steps * BatchSize).ToList());
        var scratch = Directory.CreateTempSubdirectory("poft-precision-probe-").FullName;
        try
        {
            var initial = Path.Combine(scratch, "init");
            using (var fresh = ModelCheckpoint.CreateFresh(DemoTarget, seed: 1))
                ModelCheckpoint.Save(fresh, initial, tokenizerDirectory: null);
            // As a run loads it: in bf16 with its fp32 master taken from the checkpoint.
            var placement = Placement.Resolve("cpu", dtype);
            using var model = ModelCheckpoint.LoadForTraining(initial, placement, lora: null, seed);
            var options = new TrainingOptions
            {
                Objective = ObjectiveKind.Ce, BatchSize = BatchSize, Epochs = 1, MaxSteps = steps, LearningRate = LearningRate, WarmupRatio = 0.1, Seed = seed,
            };
            var last = new LastStep();
            var summary = await new PoftTrainer(model, placement, options, new TrainingData(train, eval, data.Tokenize), null, null, [], Path.Combine(scratch, "run"),
                tokenizerDirectory: null).RunAsync(resumeDirectory: null, last, CancellationToken.None);
            var ce = summary.FinalEval?.HeldOutCe ?? throw new InvalidOperationException("the run ended without a held-out evaluation");
            Console.WriteLine($"eval_ce={ce.ToString("R", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"tokens_per_s={last.TokensPerSecond.ToString("R", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"{MemoryProbe.ResultKey}={ProbeProcess.PeakResidentBytes().ToString(CultureInfo.InvariantCulture)}");
            return 0;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Training tokens/s up to the last step's end: the held-out evaluation and the final checkpoint
    /// after it are not part of it.</summary>
    private sealed class LastStep : IProgress<StepMetrics>
    {
        public double TokensPerSecond { get; private set; }

        public void Report(StepMetrics value) => TokensPerSecond = value.TokensPerS;
    }
}
