using PoFT.Shared.Manifest;
using PoFT.Shared.Data;
using PoFT.Text.Tokenizers;

namespace PoFT.Text.Chat;

/// <summary>
/// Turns samples into token ids and response masks for one model: renders the conversation with the model's
/// template, tokenizes the whole text once, and marks a token as response iff it starts inside a response span
/// (assistant content plus its end-of-turn marker) of a response message (<see cref="SftSample.IsResponse"/>: an
/// assistant message at or after the sample's <see cref="SftSample.ScoredFrom"/> that is not a weight-0 context turn).
/// Tokens that straddle a span's start are prompt.
/// </summary>
public sealed class ChatTokenizer(ModelTokenizer tokenizer, ChatTemplateSpec template, int maxTokens, TruncationPolicy truncation)
{
    /// <summary>A one-turn conversation every template and tokenizer pair must handle: tokenized when a model is
    /// opened, it finds a template the tokenizer cannot render, or a max_length too small, before any work starts.</summary>
    public static readonly SftSample Probe = new("probe", [new ChatMessage(ChatMessage.User, "Hi"), new ChatMessage(ChatMessage.Assistant, "Hello.")]);

    private readonly int _maxTokens = maxTokens >= 2 ? maxTokens : throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "at least 2 tokens: a context token and a scored one");

    public ModelTokenizer Tokenizer => tokenizer;

    public TokenizedSample Tokenize(SftSample sample) => Encode(sample).Tokenized;

    /// <summary>What <see cref="Tokenize"/> gives, with the rendered text and where each kept token lies in it:
    /// what the <c>inspect</c> verb shows.</summary>
    public InspectedSample Inspect(SftSample sample)
    {
        var (tokenized, encoded, kept) = Encode(sample);
        var tokens = kept.Select((t, i) => new InspectedToken(encoded.Ids[t], encoded.Starts[t], encoded.Ends[t], tokenized.ResponseMask[i])).ToList();
        return new InspectedSample(tokenized, encoded.Text, tokens);
    }

    /// <returns>The sample's ids and mask, the encoding of its rendered text, and which of its tokens were kept.</returns>
    private (TokenizedSample Tokenized, EncodedText Encoded, int[] Kept) Encode(SftSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var conversation = ChatTemplates.Render(template, tokenizer, sample);
        var encoded = tokenizer.Encode(conversation.Text);
        if (encoded.Text != conversation.Text)
            throw new NotSupportedException($"{tokenizer.Source}: its normalizer rewrites the rendered text, so token offsets cannot be mapped to responses");
        var scored = conversation.ScoredSpans(sample).ToList();
        var mask = new bool[encoded.Count];
        for (var t = 1; t < encoded.Count; t++)
            mask[t] = scored.Any(span => encoded.Starts[t] >= span.Start.Value && encoded.Starts[t] < span.End.Value);
        var kept = Truncate(sample.Id, encoded.Ids);
        var ids = kept.Select(t => encoded.Ids[t]).ToArray();
        var keptMask = kept.Select(t => mask[t]).ToArray();
        if (!keptMask.Skip(1).Any(m => m))
            throw new InvalidSampleException(sample.Id, $"no response token left after truncation to {_maxTokens} tokens ({encoded.Count} before; " +
                $"truncation '{Name(truncation)}'): {TruncationChoices}");
        keptMask[0] = false;
        return (new TokenizedSample(sample.Id, ids, keptMask), encoded, kept);
    }

    /// <summary>What a sample that does not fit can be given instead: every error about one names them.</summary>
    public const string TruncationChoices = "set truncation to truncate-prompt (drop the oldest tokens, keeping BOS and the end: the last " +
        "response whole when it fits) or truncate-response (cut the end), raise max_length, or leave the sample out (--skip-bad skips and lists such samples)";

    private static string Name(TruncationPolicy policy) => System.Text.Json.JsonSerializer.Serialize(policy).Trim('"');

    /// <returns>The indices of the tokens kept, in order.</returns>
    private int[] Truncate(string sampleId, int[] ids)
    {
        var all = Enumerable.Range(0, ids.Length);
        if (ids.Length <= _maxTokens)
            return [.. all];
        switch (truncation)
        {
            case TruncationPolicy.TruncateResponse:
                return [.. all.Take(_maxTokens)];
            case TruncationPolicy.TruncatePrompt:
                var keepBos = tokenizer.Bos is { } bos && ids[0] == bos.Id ? 1 : 0;
                return [.. all.Take(keepBos), .. all.TakeLast(_maxTokens - keepBos)];
            default:
                throw new InvalidSampleException(sampleId, $"{ids.Length} tokens exceed the maximum of {_maxTokens} (truncation policy 'error'): {TruncationChoices}");
        }
    }
}
