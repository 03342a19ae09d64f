using Microsoft.ML.OnnxRuntime;
using PoFT.Exporter;
using PoFT.Exporter.Onnx.Proto;
using PoFT.Checkpoints;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Export;

public sealed class LlamaExportTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly TempDirectory _temp = new();

    // Right-padded rows of different lengths, and one left-padded row.
    private static readonly int[][] Rows = [Tokens(1, 13), Tokens(2, 6), Tokens(3, 9), Tokens(4, 2)];
    private static readonly HashSet<int> LeftPadded = [2];

    /// <summary>Every model shape under every graph variant: attention fused (masked by a bias, or by sequence
    /// lengths as CUDA's kernel needs) or primitive, LM head at the scored positions or at all of them.</summary>
    public static TheoryData<string, AttentionKernel, FusedMasking, HeadPositions> ShapesAndGraphs()
    {
        var data = new TheoryData<string, AttentionKernel, FusedMasking, HeadPositions>();
        foreach (string variant in RandomCheckpoints.Variants)
            foreach (var (attention, masking) in new[] { (AttentionKernel.Fused, FusedMasking.Bias), (AttentionKernel.Fused, FusedMasking.Lengths), (AttentionKernel.Primitive, FusedMasking.Bias) })
                foreach (var head in Enum.GetValues<HeadPositions>())
                    data.Add(variant, attention, masking, head);
        return data;
    }

    [Theory]
    [MemberData(nameof(ShapesAndGraphs))]
    public void Token_logprobs_match_naive_reference_with_right_and_left_padding(string variant, AttentionKernel attention, FusedMasking masking, HeadPositions head)
    {
        var (checkpointDir, outDir) = Export(RandomCheckpoints.Config(variant), seed: variant.Length, new ExportOptions { Attention = attention, Masking = masking, Head = head });
        using var checkpoint = Checkpoint.Open(checkpointDir);
        var reference = new NaiveLlamaReference(checkpoint);
        using var model = new ExportedModel(Path.Combine(outDir, ScoringGraph.ModelFile));

        var logProbs = model.Run(Rows, LeftPadded)["token_logprobs"];

        var length = Rows.Max(r => r.Length);
        Assert.Equal([Rows.Length, length - 1], logProbs.Dimensions.ToArray());
        for (var b = 0; b < Rows.Length; b++)
        {
            var expected = reference.TokenLogProbs(Rows[b]);
            var offset = LeftPadded.Contains(b) ? length - Rows[b].Length : 0;
            for (var t = 0; t < length - 1; t++)
            {
                var scored = t >= offset && t - offset < expected.Length;
                if (scored)
                    Assert.True(Math.Abs(expected[t - offset] - logProbs[b, t]) <= Tolerance,
                        $"row {b} position {t}: reference {expected[t - offset]}, onnx {logProbs[b, t]}");
                else
                    Assert.Equal(0f, logProbs[b, t]);
            }
        }
    }

    [Fact]
    public void Log_probs_are_far_from_uniform_so_the_comparison_means_something()
    {
        var (checkpointDir, _) = Export(RandomCheckpoints.Config("gqa-untied-llama3-rope"), seed: 1);
        using var checkpoint = Checkpoint.Open(checkpointDir);
        var logProbs = new NaiveLlamaReference(checkpoint).TokenLogProbs(Rows[0]);
        var uniform = -Math.Log(checkpoint.Config.VocabSize);
        Assert.True(logProbs.Max() - logProbs.Min() > 1.0, $"log-probs span only [{logProbs.Min()}, {logProbs.Max()}]");
        Assert.Contains(logProbs, lp => Math.Abs(lp - uniform) > 0.5);
    }

    [Theory]
    [InlineData(HeadPositions.Scored, new[] { "input_ids", "attention_mask", "score_mask" })]
    [InlineData(HeadPositions.All, new[] { "input_ids", "attention_mask" })]
    public void Model_has_exactly_the_contracted_inputs_and_outputs(HeadPositions head, string[] inputs)
    {
        var (_, outDir) = Export(RandomCheckpoints.Config("gqa-untied-llama3-rope"), seed: 2, new ExportOptions { Head = head });
        using var model = new ExportedModel(Path.Combine(outDir, ScoringGraph.ModelFile));

        Assert.Equal(inputs, model.Session.InputMetadata.Keys);
        foreach (var input in model.Session.InputMetadata.Values)
        {
            Assert.Equal(typeof(long), input.ElementType);
            Assert.Equal([-1, -1], input.Dimensions);
        }
        var output = Assert.Single(model.Session.OutputMetadata);
        Assert.Equal("token_logprobs", output.Key);
        Assert.Equal(typeof(float), output.Value.ElementType);
        Assert.Equal([-1, -1], output.Value.Dimensions);
    }

    [Theory]
    [InlineData(FusedMasking.Bias)]
    [InlineData(FusedMasking.Lengths)]
    public void Optional_logits_output_is_consistent_with_token_logprobs(FusedMasking masking)
    {
        var config = RandomCheckpoints.Config("gqa-untied-llama3-rope");
        var (_, outDir) = Export(config, seed: 3, new ExportOptions { IncludeLogits = true, Head = HeadPositions.All, Masking = masking });
        using var model = new ExportedModel(Path.Combine(outDir, ScoringGraph.ModelFile));

        Assert.Equal(["token_logprobs", "logits"], model.Session.OutputMetadata.Keys);
        Assert.Equal([-1, -1, config.VocabSize], model.Session.OutputMetadata["logits"].Dimensions);
        // Row 2 left padded: the lengths form rotates it inside the graph, and its logits must come back in place.
        var outputs = model.Run(Rows, LeftPadded);
        var logits = outputs["logits"];
        var length = Rows.Max(r => r.Length);
        Assert.Equal([Rows.Length, length, config.VocabSize], logits.Dimensions.ToArray());
        foreach (var b in new[] { 0, 2 })
        {
            var offset = LeftPadded.Contains(b) ? length - Rows[b].Length : 0;
            for (var t = offset; t < length - 1; t++)
            {
                var row = Enumerable.Range(0, config.VocabSize).Select(v => (double)logits[b, t, v]).ToArray();
                Assert.Equal(NaiveLlamaReference.LogSoftmaxAt(row, Rows[b][t + 1 - offset]), outputs["token_logprobs"][b, t], Tolerance);
            }
        }
    }

    [Theory]
    [InlineData(FusedMasking.Bias)]
    [InlineData(FusedMasking.Lengths)]
    public void The_scored_head_gives_the_full_heads_log_probs_where_asked_and_zero_elsewhere(FusedMasking masking)
    {
        var config = RandomCheckpoints.Config("gqa-untied-llama3-rope");
        var (_, scoredDir) = Export(config, seed: 8, new ExportOptions { Masking = masking });
        var (_, allDir) = Export(config, seed: 8, new ExportOptions { Head = HeadPositions.All, Masking = masking });
        using var scoredModel = new ExportedModel(Path.Combine(scoredDir, ScoringGraph.ModelFile));
        using var allModel = new ExportedModel(Path.Combine(allDir, ScoringGraph.ModelFile));
        static bool Asked(int b, int t) => (b + t) % 3 != 0;

        var scored = scoredModel.Run(Rows, LeftPadded, Asked)["token_logprobs"];
        var all = allModel.Run(Rows, LeftPadded)["token_logprobs"];

        var compared = 0;
        for (var b = 0; b < Rows.Length; b++)
            for (var t = 0; t < scored.Dimensions[1]; t++)
                if (!Asked(b, t))
                    Assert.Equal(0f, scored[b, t]);
                else if (all[b, t] != 0)
                {
                    Assert.Equal(all[b, t], scored[b, t], 1e-5);
                    compared++;
                }
        Assert.True(compared > 10, $"only {compared} positions compared");
    }

    [Fact]
    public void The_full_logits_need_the_head_at_every_position()
    {
        var error = Assert.Throws<ArgumentException>(() => Export(RandomCheckpoints.Config("gqa-tied"), seed: 3, new ExportOptions { IncludeLogits = true }));
        Assert.Contains("--head all", error.Message);
    }

    [Theory]
    [InlineData(AttentionKernel.Fused, "gqa-untied-llama3-rope")]
    [InlineData(AttentionKernel.Primitive, "gqa-untied-llama3-rope")]
    [InlineData(AttentionKernel.Fused, "qwen3-qknorm-head-dim")]
    [InlineData(AttentionKernel.Primitive, "qwen3-qknorm-head-dim")]
    public void Changing_a_token_leaves_earlier_predictions_unchanged(AttentionKernel attention, string variant)
    {
        var config = RandomCheckpoints.Config(variant);
        var (_, outDir) = Export(config, seed: 4, new ExportOptions { Attention = attention });
        using var model = new ExportedModel(Path.Combine(outDir, ScoringGraph.ModelFile));
        const int changed = 7;
        var original = Rows[0];
        var edited = (int[])original.Clone();
        edited[changed] = (edited[changed] + 5) % config.VocabSize;

        var before = model.Run([original])["token_logprobs"];
        var after = model.Run([edited])["token_logprobs"];

        // Outputs t < changed−1 predict tokens before the edit from contexts before it.
        for (var t = 0; t < changed - 1; t++)
            Assert.Equal(before[0, t], after[0, t], 6);
        Assert.NotEqual(before[0, changed - 1], after[0, changed - 1]);
        Assert.Contains(Enumerable.Range(changed, original.Length - 1 - changed), t => Math.Abs(before[0, t] - after[0, t]) > 1e-4);
    }

    [Fact]
    public void External_data_export_gives_the_same_results_as_inline()
    {
        var config = RandomCheckpoints.Config("gqa-untied-llama3-rope");
        var (_, inlineDir) = Export(config, seed: 5);
        var (_, externalDir) = Export(config, seed: 5, new ExportOptions { ExternalDataThresholdBytes = 0 });

        Assert.False(File.Exists(Path.Combine(inlineDir, ScoringGraph.ExternalDataFile)));
        var dataFile = new FileInfo(Path.Combine(externalDir, ScoringGraph.ExternalDataFile));
        Assert.True(dataFile.Exists);
        Assert.True(dataFile.Length >= config.ParameterCount * sizeof(float));
        Assert.True(new FileInfo(Path.Combine(externalDir, ScoringGraph.ModelFile)).Length < 100_000);

        using var inline = new ExportedModel(Path.Combine(inlineDir, ScoringGraph.ModelFile));
        using var external = new ExportedModel(Path.Combine(externalDir, ScoringGraph.ModelFile));
        Assert.Equal(inline.Run(Rows)["token_logprobs"].ToArray(), external.Run(Rows)["token_logprobs"].ToArray());
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public void Tied_embeddings_are_stored_once(bool tied, int expectedTables)
    {
        var config = RandomCheckpoints.Build(tied: tied);
        var (_, outDir) = Export(config, seed: 6);
        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(outDir, ScoringGraph.ModelFile))).Graph;
        Assert.Equal(expectedTables, graph.Initializer.Count(i => i.Dims.SequenceEqual([config.VocabSize, config.HiddenSize])));
    }

    [Fact]
    public void Output_directory_describes_itself_with_config_and_tokenizer()
    {
        var config = RandomCheckpoints.Config("qwen2-bias-kv1");
        var (checkpointDir, outDir) = Export(config, seed: 7);
        Assert.Equal(File.ReadAllText(Path.Combine(checkpointDir, Checkpoint.ConfigFile)), File.ReadAllText(Path.Combine(outDir, Checkpoint.ConfigFile)));
        Assert.Equal(config, ModelConfig.Load(Path.Combine(outDir, Checkpoint.ConfigFile)) with { EosTokenIds = config.EosTokenIds });
        Assert.Equal(RandomCheckpoints.StandInTokenizer, File.ReadAllText(Path.Combine(outDir, "tokenizer.json")));
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
    }

    private (string CheckpointDir, string OutDir) Export(ModelConfig config, int seed, ExportOptions? options = null)
    {
        var root = _temp.Sub($"export-{Guid.NewGuid():N}");
        var checkpointDir = RandomCheckpoints.Write(Path.Combine(root, "checkpoint"), config, seed,
            tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(Path.Combine(root, "tokenizer")));
        var outDir = Path.Combine(root, "onnx");
        LlamaOnnxExporter.Export(checkpointDir, outDir, options ?? new ExportOptions());
        return (checkpointDir, outDir);
    }

    private static int[] Tokens(int seed, int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(1, 97))];
    }

    public void Dispose() => _temp.Dispose();
}
