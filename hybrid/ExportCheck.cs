using PoFT.Exporter.Precision;
using PoFT.Scorer.Onnx;
using PoFT.Checkpoints;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Trainer.Model;

namespace PoFT.Hybrid;

/// <summary>An export checked against its checkpoint: ONNX Runtime and TorchSharp, the hybrid's two backends,
/// on the same weights and the same batch.</summary>
public static class ExportCheck
{
    /// <summary>The largest relative difference an fp32 export may show (docs/scoring.md, "ONNX graph"); other
    /// precisions have their own (<see cref="ExportPrecision.VerifyTolerance"/>).</summary>
    public static double Tolerance => ExportPrecision.Fp32.VerifyTolerance;

    /// <summary>An export in ONNX Runtime against its checkpoint in TorchSharp, on the same random batch.</summary>
    public static double Verify(string checkpointDirectory, string exportDirectory)
    {
        var config = ModelConfig.Load(Path.Combine(checkpointDirectory, Checkpoint.ConfigFile));
        using var torch = TorchTokenLogProbModel.Load(checkpointDirectory, Placement.Cpu);
        using var ort = OrtTokenLogProbModel.Open("export", Path.Combine(exportDirectory, ScoringGraph.ModelFile), new ExecutionProviderSpec(), new OrtScoringOptions(), Console.Error.WriteLine);
        return MaxRelativeDiff(ort, torch, config.VocabSize, seed: 1234);
    }

    /// <summary>Runs two scoring backends on the same random batch — samples of different lengths, right
    /// padded, and every third one left padded — and measures how far their log-probs drift apart anywhere
    /// (padding positions must be 0 in both). The drift is relative to the log-prob's size (absolute below 1):
    /// fp32 kernels that sum in different orders differ in proportion to their operands, and a trained model's
    /// log-probs of random tokens reach −20 and beyond.</summary>
    public static double MaxRelativeDiff(ITokenLogProbModel a, ITokenLogProbModel b, int vocabSize, int seed, int batch = 4, int maxLength = 48)
    {
        var random = new Random(seed);
        var lengths = Enumerable.Range(0, batch).Select(i => i == 0 ? maxLength : random.Next(2, maxLength + 1)).ToArray();
        var ids = new long[batch * maxLength];
        var mask = new long[batch * maxLength];
        for (var s = 0; s < batch; s++)
        {
            var offset = s % 3 == 2 ? maxLength - lengths[s] : 0;
            for (var t = offset; t < offset + lengths[s]; t++)
            {
                ids[s * maxLength + t] = random.Next(vocabSize);
                mask[s * maxLength + t] = 1;
            }
        }
        var outA = new float[batch * (maxLength - 1)];
        var outB = new float[batch * (maxLength - 1)];
        a.TokenLogProbs(ids, mask, batch, maxLength, outA);
        b.TokenLogProbs(ids, mask, batch, maxLength, outB);
        return outA.Zip(outB, (x, y) => Math.Abs(x - y) / Math.Max(1.0, Math.Abs(y))).Max();
    }
}
