using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// A SentencePiece .model (Llama-2, Mistral, Zephyr). BOS/EOS are not added on encode: templates write them as
/// text, so the model's control tokens are registered as special tokens that encoding recognises.
/// </summary>
public static class SentencePieceModelFile
{
    public static ModelTokenizer Load(string modelPath, string? bosOverride, string? eosOverride)
    {
        SentencePieceTokenizer probe;
        using (var stream = File.OpenRead(modelPath))
            probe = Create(modelPath, stream, specialTokens: null);
        var specialTokens = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [probe.BeginningOfSentenceToken] = probe.BeginningOfSentenceId,
            [probe.EndOfSentenceToken] = probe.EndOfSentenceId,
            [probe.UnknownToken] = probe.UnknownId,
        };
        using (var stream = File.OpenRead(modelPath))
        {
            var tokenizer = Create(modelPath, stream, specialTokens);
            return new ModelTokenizer(modelPath, tokenizer, specialTokens, tokenizer.Vocabulary.Values.Max() + 1,
                bosOverride ?? probe.BeginningOfSentenceToken, eosOverride ?? probe.EndOfSentenceToken);
        }
    }

    private static SentencePieceTokenizer Create(string modelPath, Stream stream, IReadOnlyDictionary<string, int>? specialTokens)
    {
        try
        {
            return SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false, specialTokens);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new FormatException($"{modelPath}: not a supported SentencePiece model: {e.Message}", e);
        }
    }
}
