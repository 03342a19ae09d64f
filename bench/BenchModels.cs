using PoFT.Exporter;
using PoFT.Scorer.Onnx;
using PoFT.Checkpoints;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Trainer.Model;

namespace PoFT.Bench;

/// <summary>Fresh random-weight checkpoints and their ONNX exports, made once per configuration in a
/// scratch directory that is deleted with this object: both backends read the very same weights.</summary>
public sealed class BenchModels : IDisposable
{
    private const long Seed = 1;

    private readonly Dictionary<string, TimeSpan> _exportTimes = [];

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("poft-bench-").FullName;

    /// <summary>How long each model's checkpoint → ONNX export took (one run: it happens once).</summary>
    public IReadOnlyDictionary<string, TimeSpan> ExportTimes => _exportTimes;

    /// <returns>The path of a config.json describing <paramref name="config"/>, for a child process to build
    /// a fresh model from (no weights written).</returns>
    public string Config(string name, ModelConfig config)
    {
        var path = Path.Combine(Directory, name, PoFT.Checkpoints.Checkpoint.ConfigFile);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    public string Checkpoint(string name, ModelConfig config)
    {
        var directory = Path.Combine(Directory, name, "checkpoint");
        if (!System.IO.Directory.Exists(directory))
        {
            using var model = ModelCheckpoint.CreateFresh(config, Seed);
            ModelCheckpoint.Save(model, directory, tokenizerDirectory: null);
        }
        return directory;
    }

    /// <returns>The path of the exported model.onnx; <paramref name="variant"/> names an export with other
    /// <paramref name="options"/> of the same checkpoint.</returns>
    public string Onnx(string name, ModelConfig config, ExportOptions? options = null, string variant = "")
    {
        var directory = Path.Combine(Directory, name, variant.Length == 0 ? "onnx" : $"onnx-{variant}");
        var path = Path.Combine(directory, ScoringGraph.ModelFile);
        if (File.Exists(path))
            return path;
        var checkpoint = Checkpoint(name, config);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        LlamaOnnxExporter.Export(checkpoint, directory, options ?? new ExportOptions());
        if (variant.Length == 0)
            _exportTimes[name] = clock.Elapsed;
        return path;
    }

    /// <summary>Without spinning: a benchmark alternates ONNX Runtime with TorchSharp on the same cores, and
    /// spinning ORT threads would bill their idle time to whatever runs next.</summary>
    public static OrtTokenLogProbModel OpenOrt(string onnxPath, int threads) =>
        OrtTokenLogProbModel.Open("bench", onnxPath, new ExecutionProviderSpec(), new OrtScoringOptions { IntraOpThreads = threads }, Console.Error.WriteLine);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
