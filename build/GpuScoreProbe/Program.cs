using System.Globalization;
using PoFT.Scorer.Onnx;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

// gpu-score-probe MODEL.onnx PROVIDER VOCAB: scores one fixed padded batch and prints the provider the
// session really runs on, then every log-prob (round-trip format), one line each; warnings go to stderr.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: GpuScoreProbe MODEL.onnx cpu|cuda VOCAB");
    return 2;
}
var (batch, seq) = (2, 12);
var vocab = int.Parse(args[2], CultureInfo.InvariantCulture);
var ids = new long[batch * seq];
var mask = new long[batch * seq];
for (var i = 0; i < ids.Length; i++)
{
    ids[i] = (i * 7 + 3) % vocab;
    // The second row is right-padded after 8 tokens.
    mask[i] = i < seq || i % seq < 8 ? 1 : 0;
}
using var model = OrtTokenLogProbModel.Open("probe", args[0], new ExecutionProviderSpec(args[1]), new OrtScoringOptions(), Console.Error.WriteLine);
var output = new float[batch * (seq - 1)];
model.TokenLogProbs(ids, mask, batch, seq, output);
Console.WriteLine($"provider={model.Provider}");
Console.WriteLine($"onnxruntime={typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version}");
foreach (var value in output)
    Console.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
return 0;
