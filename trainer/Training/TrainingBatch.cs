using PoFT.Shared.Chat;
using static TorchSharp.torch;

namespace PoFT.Trainer.Training;

/// <summary>Tokenized samples as right-padded tensors: ids and attention mask [batch, seq], and the
/// response mask [batch, seq − 1] aligned with the model's next-token log-probs.</summary>
public sealed class TrainingBatch : IDisposable
{
    public Tensor InputIds { get; }
    public Tensor AttentionMask { get; }
    public Tensor ResponseMask { get; }
    public long Tokens { get; }

    public TrainingBatch(IReadOnlyList<TokenizedSample> samples, Device device)
    {
        var seq = samples.Max(s => s.TokenIds.Length);
        var ids = new long[samples.Count * seq];
        var attention = new long[samples.Count * seq];
        var response = new float[samples.Count * (seq - 1)];
        for (var b = 0; b < samples.Count; b++)
        {
            var sample = samples[b];
            for (var t = 0; t < sample.TokenIds.Length; t++)
            {
                ids[b * seq + t] = sample.TokenIds[t];
                attention[b * seq + t] = 1;
                // Output position t − 1 predicts token t.
                if (t > 0 && sample.ResponseMask[t])
                    response[b * (seq - 1) + t - 1] = 1;
            }
        }
        InputIds = tensor(ids, [samples.Count, seq]).to(device);
        AttentionMask = tensor(attention, [samples.Count, seq]).to(device);
        ResponseMask = tensor(response, [samples.Count, seq - 1]).to(device);
        Tokens = samples.Sum(s => (long)s.TokenIds.Length);
    }

    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        ResponseMask.Dispose();
    }
}
