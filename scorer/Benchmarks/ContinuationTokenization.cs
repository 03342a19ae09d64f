using PoFT.Shared.Data;
using PoFT.Text.Chat;
using PoFT.Text.Tokenizers;

namespace PoFT.Scorer.Benchmarks;

/// <summary>
/// A context and a continuation as plain text — no chat template, no special tokens — tokenized as lm-eval-harness
/// tokenizes them for a causal model's log-likelihood (lm_eval/api/model.py, <c>_encode_pair</c>): trailing spaces of
/// the context move to the start of the continuation, the whole text is encoded, and the continuation's tokens are
/// those after the context's own encoding. The continuation's tokens are the ones scored. lm-eval's Hugging Face model
/// adds no special tokens for causal models by default (its Gemma case aside); our tokenizers add none either.
/// </summary>
public static class ContinuationTokenization
{
    /// <summary>A scoring sample of a context and a continuation: the user turn holds the context, the assistant turn
    /// the continuation (only <see cref="For"/>'s tokenization reads it, never a chat template).</summary>
    public static SftSample Sample(string id, string context, string continuation) =>
        new(id, [new ChatMessage(ChatMessage.User, context), new ChatMessage(ChatMessage.Assistant, continuation)]);

    public static Func<SftSample, TokenizedSample> For(ModelTokenizer tokenizer) => sample =>
    {
        var (context, continuation) = (sample.Messages[0].Content, sample.Messages[1].Content);
        var spaces = context.Length - context.TrimEnd().Length;
        if (spaces > 0)
            (context, continuation) = (context[..^spaces], context[^spaces..] + continuation);
        var whole = tokenizer.Encode(context + continuation).Ids;
        var contextLength = tokenizer.Encode(context).Count;
        if (contextLength >= whole.Length)
            throw new InvalidSampleException(sample.Id, $"the continuation '{continuation}' adds no token after the context's {contextLength}");
        return new TokenizedSample(sample.Id, [.. whole], [.. Enumerable.Range(0, whole.Length).Select(i => i >= contextLength)]);
    };
}
