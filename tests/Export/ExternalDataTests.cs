using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PoFT.Exporter;
using PoFT.Exporter.Onnx.Proto;
using PoFT.Checkpoints;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Export;

/// <summary>The external-data path that models above 2 GB take, on a small model with the threshold forced
/// to 0 (the 1.1B export itself is the bench's large part, too slow and too large for CI): where each tensor
/// lands in model.onnx.data, and what a later inline export into the same folder leaves behind.</summary>
public sealed class ExternalDataTests : IDisposable
{
    private const long Page = 4096;
    private readonly TempDirectory _temp = new();

    private static readonly int[][] Rows = [[5, 9, 2, 44, 17, 3], [8, 1, 60]];

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Every_large_tensor_is_in_the_data_file_at_a_page_aligned_offset_without_overlap()
    {
        var (checkpoint, outDir) = Checkpoint(seed: 21);
        LlamaOnnxExporter.Export(checkpoint, outDir, new ExportOptions { ExternalDataThresholdBytes = 0 });

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(outDir, ScoringGraph.ModelFile)));
        var dataLength = new FileInfo(Path.Combine(outDir, ScoringGraph.ExternalDataFile)).Length;
        var ranges = new List<(long Offset, long Length, string Name)>();
        foreach (var tensor in model.Graph.Initializer)
        {
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
            {
                // Only scalars and shape vectors stay inline.
                Assert.True(tensor.RawData.Length < 1024, $"{tensor.Name}: {tensor.RawData.Length} bytes inline");
                continue;
            }
            Assert.True(tensor.RawData.IsEmpty, $"{tensor.Name}: external yet has inline bytes");
            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value);
            Assert.Equal(ScoringGraph.ExternalDataFile, entries["location"]);
            var (offset, length) = (long.Parse(entries["offset"], CultureInfo.InvariantCulture), long.Parse(entries["length"], CultureInfo.InvariantCulture));
            Assert.True(offset % Page == 0, $"{tensor.Name}: offset {offset} is not a multiple of {Page}");
            Assert.Equal(tensor.Dims.Aggregate(1L, (a, b) => a * b) * sizeof(float), length);
            Assert.InRange(offset + length, length, dataLength);
            ranges.Add((offset, length, tensor.Name));
        }
        Assert.Contains(ranges, r => r.Name.Contains("embed", StringComparison.Ordinal));
        var ordered = ranges.OrderBy(r => r.Offset).ToList();
        for (var i = 1; i < ordered.Count; i++)
            Assert.True(ordered[i].Offset >= ordered[i - 1].Offset + ordered[i - 1].Length, $"{ordered[i - 1].Name} and {ordered[i].Name} overlap");
    }

    [Fact]
    public void An_inline_export_over_an_external_one_removes_the_stale_data_file_and_scores_the_same_as_a_fresh_one()
    {
        var (checkpoint, outDir) = Checkpoint(seed: 22);
        LlamaOnnxExporter.Export(checkpoint, outDir, new ExportOptions { ExternalDataThresholdBytes = 0 });
        Assert.True(File.Exists(Path.Combine(outDir, ScoringGraph.ExternalDataFile)));

        LlamaOnnxExporter.Export(checkpoint, outDir, new ExportOptions());
        var freshDir = _temp.Sub("fresh-inline");
        LlamaOnnxExporter.Export(checkpoint, freshDir, new ExportOptions());

        Assert.False(File.Exists(Path.Combine(outDir, ScoringGraph.ExternalDataFile)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(freshDir, ScoringGraph.ModelFile)), File.ReadAllBytes(Path.Combine(outDir, ScoringGraph.ModelFile)));
        using var overwritten = new ExportedModel(Path.Combine(outDir, ScoringGraph.ModelFile));
        using var fresh = new ExportedModel(Path.Combine(freshDir, ScoringGraph.ModelFile));
        Assert.Equal(fresh.Run(Rows)["token_logprobs"].ToArray(), overwritten.Run(Rows)["token_logprobs"].ToArray());
    }

    [Fact]
    public void A_tensor_larger_than_one_array_is_read_and_written_in_slices_to_the_right_offsets()
    {
        // 262144 × 2048 fp32 is 2 GiB, just past what one .NET byte array holds (a 7B model's fp32 embedding
        // is of this size). The checkpoint is sparse but for a few marked values past the slice boundaries.
        var config = RandomCheckpoints.Build(vocab: 262_144, hidden: 2048, heads: 32, kvHeads: 4, layers: 1, intermediate: 64, tied: true);
        long[] marked = [0, (1L << 26) + 3, (1L << 29) + 5, 262_144L * 2048 - 1];
        var checkpoint = SparseCheckpoint(_temp.Sub("large-tensor"), config, marked);
        var outDir = Path.Combine(_temp.Path, "large-tensor-onnx");

        LlamaOnnxExporter.Export(checkpoint, outDir, new ExportOptions());

        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(outDir, ScoringGraph.ModelFile))).Graph;
        var embedding = graph.Initializer.Single(i => i.Name == ExpectedTensors.Embedding);
        var offset = long.Parse(embedding.ExternalData.Single(e => e.Key == "offset").Value, CultureInfo.InvariantCulture);
        Assert.Equal((2L << 30).ToString(CultureInfo.InvariantCulture), embedding.ExternalData.Single(e => e.Key == "length").Value);
        using var data = File.OpenHandle(Path.Combine(outDir, ScoringGraph.ExternalDataFile));
        var value = new byte[4];
        foreach (var index in marked)
        {
            RandomAccess.Read(data, value, offset + index * 4);
            Assert.Equal(Marker(index), BitConverter.ToSingle(value));
        }
        RandomAccess.Read(data, value, offset + 4);
        Assert.Equal(0f, BitConverter.ToSingle(value));
    }

    private static float Marker(long index) => 1 + index % 1000;

    /// <summary>A checkpoint whose safetensors file has a real header and zero-filled, unallocated data, but
    /// for the embedding's elements at <paramref name="marked"/>, which hold <see cref="Marker"/>.</summary>
    private static string SparseCheckpoint(string directory, ModelConfig config, long[] marked)
    {
        File.WriteAllText(Path.Combine(directory, PoFT.Checkpoints.Checkpoint.ConfigFile), config.ToJsonString());
        var header = new JsonObject();
        long offset = 0;
        foreach (var tensor in ExpectedTensors.For(config))
        {
            var end = offset + tensor.Shape.Aggregate(1L, (a, b) => a * b) * sizeof(float);
            header[tensor.Name] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray([.. tensor.Shape.Select(d => JsonValue.Create(d))]), ["data_offsets"] = new JsonArray(offset, end) };
            offset = end;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var file = File.Create(Path.Combine(directory, "model.safetensors"));
        file.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
        file.Write(headerBytes);
        file.SetLength(8 + headerBytes.Length + offset);
        var embeddingStart = 8 + headerBytes.Length + header[ExpectedTensors.Embedding]!["data_offsets"]![0]!.GetValue<long>();
        foreach (var index in marked)
        {
            file.Position = embeddingStart + index * 4;
            file.Write(BitConverter.GetBytes(Marker(index)));
        }
        return directory;
    }

    private (string Checkpoint, string OutDir) Checkpoint(int seed)
    {
        var root = _temp.Sub($"external-{seed}");
        var checkpoint = RandomCheckpoints.Write(Path.Combine(root, "checkpoint"), RandomCheckpoints.Config("gqa-untied-llama3-rope"), seed,
            tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(Path.Combine(root, "tokenizer")));
        return (checkpoint, Path.Combine(root, "onnx"));
    }
}
