using PoFT.Text.Chat;
using static TorchSharp.torch;

namespace PoFT.Trainer.Training;

/// <summary>
/// A micro-batch laid out for the model: ids and attention mask [rows, seq] and the response mask
/// [rows, seq − 1] aligned with the model's next-token log-probs, seq being the longest sample's length.
/// Padded, each sample has a row of its own; packed (padding-free), samples share rows, each a segment of its
/// own: the attention mask holds k ≥ 1 on the k-th sample of a row and 0 on padding, so that a token attends
/// only within its sample and positions restart at each (<see cref="Model.LlamaForCausalLM.TokenLogProbs"/>).
/// The samples and so the loss are the same either way.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    /// <summary>What the batch was built from, in its order: the tokenization the model sees.</summary>
    public IReadOnlyList<TokenizedSample> Samples { get; }

    public Tensor InputIds { get; }
    public Tensor AttentionMask { get; }
    public Tensor ResponseMask { get; }

    /// <summary>[samples, seq − 1]: each sample's response mask as in a padded row of its own.</summary>
    public Tensor SampleResponseMask { get; }

    /// <summary>[samples, seq − 1]: 1 at every position of a sample that predicts one of its tokens, prompt and
    /// template included (what r_θ averages under <c>r_theta_scope: all</c>).</summary>
    public Tensor SampleTokenMask { get; }

    /// <summary>[samples, seq − 1] int64: where in the flattened [rows · (seq − 1)] log-probs each position of
    /// <see cref="SampleResponseMask"/> lies (anywhere where that mask is 0).</summary>
    private readonly Tensor _samplePositions;

    public long Tokens { get; }

    /// <summary>Share of the [rows, seq] cells that are padding.</summary>
    public double PaddingFraction => 1 - (double)Tokens / InputIds.NumberOfElements;

    public TrainingBatch(IReadOnlyList<TokenizedSample> samples, Device device, bool packed)
    {
        Samples = samples;
        var seq = samples.Max(s => s.TokenIds.Length);
        var rows = packed
            ? RowPacker.FirstFitDecreasing([.. samples.Select(s => s.TokenIds.Length)], seq)
            : [.. Enumerable.Range(0, samples.Count).Select(i => new List<int> { i })];
        var ids = new long[rows.Count * seq];
        var segments = new long[rows.Count * seq];
        var response = new float[rows.Count * (seq - 1)];
        var sampleResponse = new float[samples.Count * (seq - 1)];
        var sampleTokens = new float[samples.Count * (seq - 1)];
        var samplePositions = new long[samples.Count * (seq - 1)];
        for (var r = 0; r < rows.Count; r++)
        {
            var offset = 0;
            for (var k = 0; k < rows[r].Count; k++)
            {
                var b = rows[r][k];
                var sample = samples[b];
                for (var t = 0; t < sample.TokenIds.Length; t++)
                {
                    ids[r * seq + offset + t] = sample.TokenIds[t];
                    segments[r * seq + offset + t] = k + 1;
                    if (t == 0)
                        continue;
                    // Output position t − 1 predicts token t.
                    samplePositions[b * (seq - 1) + t - 1] = r * (seq - 1) + offset + t - 1;
                    sampleTokens[b * (seq - 1) + t - 1] = 1;
                    if (sample.ResponseMask[t])
                        response[r * (seq - 1) + offset + t - 1] = sampleResponse[b * (seq - 1) + t - 1] = 1;
                }
                offset += sample.TokenIds.Length;
            }
        }
        InputIds = tensor(ids, [rows.Count, seq]).to(device);
        AttentionMask = tensor(segments, [rows.Count, seq]).to(device);
        ResponseMask = tensor(response, [rows.Count, seq - 1]).to(device);
        SampleResponseMask = tensor(sampleResponse, [samples.Count, seq - 1]).to(device);
        SampleTokenMask = tensor(sampleTokens, [samples.Count, seq - 1]).to(device);
        _samplePositions = tensor(samplePositions, [samples.Count, seq - 1]).to(device);
        Tokens = samples.Sum(s => (long)s.TokenIds.Length);
    }

    /// <summary>The model's [rows, seq − 1] log-probs rearranged to [samples, seq − 1], aligned with
    /// <see cref="SampleResponseMask"/>: each sample's r_θ is then reduced alone and in the same order as when
    /// padded. A gather rather than a scatter-add per sample, so that it stays deterministic on CUDA: its
    /// backward adds only zeros where several positions point at one place.</summary>
    public Tensor PerSample(Tensor tokenLogProbs) =>
        tokenLogProbs.flatten().index_select(0, _samplePositions.flatten()).view(_samplePositions.shape);

    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        ResponseMask.Dispose();
        SampleResponseMask.Dispose();
        SampleTokenMask.Dispose();
        _samplePositions.Dispose();
    }
}
