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
