using PoFT.Experiment.Report;

namespace PoFT.Tests.Experiment.Report;

/// <summary>Made-up results in the demo's shape: 2 seeds, noise 0 and 0.4, all five objectives, 3 epochs. CE degrades
/// with noise over the epochs; PoFT is set clearly below (wins) or above (loses) CE at noise 0.4.</summary>
public static class SyntheticExperiment
{
    public static readonly string[] Objectives = ["ce", "poft", "bi-poft", "ce+keep-top", "poft+keep-top"];
    public static readonly double[] NoiseLevels = [0, 0.4];
    public static readonly int[] Seeds = [1, 2];
    public const int Epochs = 3;

    public static ExperimentResults Make(bool poftWins, IReadOnlyList<double>? noiseLevels = null)
    {
        var random = new Random(poftWins ? 11 : 12);
        var runs = new List<RunResult>();
        foreach (var noise in noiseLevels ?? NoiseLevels)
            foreach (var seed in Seeds)
            {
                double[] ce = [.. Enumerable.Range(0, Epochs + 1).Select(e => 3.0 - 0.3 * e + 0.4 * noise * e * e + 0.05 * random.NextDouble())];
                foreach (var objective in Objectives)
                    runs.Add(Run(objective, noise, seed, ce, poftWins, random));
            }
        List<ReferenceScoreSample> scores = [.. (noiseLevels ?? NoiseLevels).SelectMany(noise => Seeds.Select(seed => new ReferenceScoreSample(
            noise, seed,
            // Rounded to a 0.25 grid so clean and noise scores overlap and tie, as real r̄ does near the boundary.
            [.. Enumerable.Range(0, 60).Select(_ => Math.Round((-1.5 + random.NextDouble() * 1.5) * 4) / 4)],
            noise == 0 ? [] : [.. Enumerable.Range(0, (int)(60 * noise)).Select(_ => Math.Round((-3 + random.NextDouble() * 2) * 4) / 4)])))];
        return new ExperimentResults(
            "./run.sh demo --noise 0,0.4 --seeds 2",
            [new LibraryVersion("TorchSharp", "0.107.0"), new LibraryVersion("ONNX Runtime", "1.31.1")],
            "test machine, 2 cores",
            [new StageTime("aligned models", 12.5, true), new StageTime("training", 40.2, false)],
            runs,
            scores,
            ["aligned-a", "aligned-b"],
            "The setup notes paragraph.");
    }

    public const double DpoNoise = 0.4;
    public const int DpoTrainPairs = 120;

    /// <summary>Adds DPO runs from the CE and the PoFT target of every seed (1 to <paramref name="seeds"/>) at noise
    /// 0.4. After DPO, PoFT → DPO is set clearly above or below CE → DPO on preference accuracy, and clearly
    /// below or above it on held-out CE; the spread over seeds is smaller than either shift.</summary>
    public static ExperimentResults WithDpo(ExperimentResults results, bool poftMoreAccurate, bool poftLowerCe, int seeds = 2)
    {
        var random = new Random((poftMoreAccurate ? 1 : 0) + (poftLowerCe ? 2 : 0) + 10 * seeds);
        List<DpoResult> dpo = [];
        for (var seed = 1; seed <= seeds; seed++)
            foreach (var start in new[] { "ce", "poft" })
            {
                var poft = start == "poft";
                var before = new DpoPoint(2.6 - (poft ? 0.2 : 0) + 0.02 * random.NextDouble(), 0.55 + 0.05 * random.NextDouble(), 0, 0, Math.Log(2));
                var after = new DpoPoint(
                    2.7 + (poft ? poftLowerCe ? -0.25 : 0.15 : 0) + 0.03 * random.NextDouble(),
                    0.70 + (poft ? poftMoreAccurate ? 0.08 : -0.05 : 0) + 0.02 * random.NextDouble(),
                    0.8 + 0.1 * random.NextDouble(),
                    1.5 + 0.5 * random.NextDouble(),
                    0.45 + 0.05 * random.NextDouble());
                dpo.Add(new DpoResult(start, DpoNoise, seed, before, after, 30 + seed, DpoTrainPairs));
            }
        return results with { Dpo = dpo };
    }

    private static RunResult Run(string objective, double noise, int seed, double[] ce, bool poftWins, Random random)
    {
        var shift = objective switch
        {
            "ce" => 0,
            "poft" when noise > 0 => poftWins ? -0.3 : 0.3,
            _ => -0.1 + 0.02 * random.NextDouble(),
        };
        var hasTau = objective is "poft" or "bi-poft";
        List<EpochResult> epochs = [.. ce.Select((value, epoch) => new EpochResult(
            epoch,
            epoch == 0 ? value : value + shift + 0.01 * random.NextDouble(),
            hasTau && epoch > 0 ? 0.6 + 0.1 * random.NextDouble() : null,
            hasTau && epoch > 0 && noise > 0 ? 0.1 * random.NextDouble() : null))];
        return new RunResult(objective, noise, seed, epochs, 10 + seed, noise > 0 ? 140 : 100);
    }
}
