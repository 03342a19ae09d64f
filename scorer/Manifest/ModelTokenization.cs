using System.Text.Json;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Text.Tokenizers;

namespace PoFT.Scorer.Manifest;

/// <summary>One aligned model's tokenization as its manifest entry asks (template, max_length,
/// truncation), tried on a probe conversation when opened. Its errors tell the two causes apart: a
/// template the tokenizer cannot render, and a sample longer than max_length (both numbers, the manifest,
/// the model and field <c>max_length</c>).</summary>
internal static class ModelTokenization
{
    public static Func<SftSample, TokenizedSample> Open(ModelsManifest manifest, AlignedModelSpec spec, ModelTokenizer tokenizer, Action<string> warn)
    {
        // Unlimited first: a probe that fails here is the template and tokenizer disagreeing; one that fails
        // only under max_length is a max_length too small, and must be reported as that.
        var unlimited = new ChatTokenizer(tokenizer, spec.Template, int.MaxValue, TruncationPolicy.Error);
        int probeLength;
        try { probeLength = unlimited.Tokenize(ChatTokenizer.Probe).TokenIds.Length; }
        catch (Exception e) when (e is ArgumentException or InvalidSampleException)
        {
            throw new ManifestException($"{manifest.Path}: model '{spec.Name}': template '{spec.Template.Family}' does not fit its tokenizer: {e.Message}");
        }
        if (ChatTemplates.PresetDifference(spec.Template, tokenizer) is { } difference)
            warn($"{manifest.Path}: model '{spec.Name}': {difference}");
        var chat = new ChatTokenizer(tokenizer, spec.Template, spec.MaxLength, spec.Truncation);
        try { chat.Tokenize(ChatTokenizer.Probe); }
        catch (InvalidSampleException)
        {
            throw new ManifestException($"{manifest.Path}: model '{spec.Name}': field 'max_length': the one-turn probe conversation " +
                $"(\"Hi\", \"Hello.\") is {TooLong(probeLength, spec)}, so no sample would fit");
        }
        return sample =>
        {
            try { return chat.Tokenize(sample); }
            // Re-tokenized without the limit only on this failure path, to tell a too-long sample from one
            // the template refuses.
            catch (InvalidSampleException) when (Length(unlimited, sample) is { } length && length > spec.MaxLength)
            {
                throw new InvalidSampleException(sample.Id, $"{manifest.Path}: model '{spec.Name}': field 'max_length': the sample is {TooLong(length, spec)}; or pass --skip-bad to skip such samples");
            }
        };
    }

    private static int? Length(ChatTokenizer unlimited, SftSample sample)
    {
        try { return unlimited.Tokenize(sample).TokenIds.Length; }
        catch (InvalidSampleException) { return null; }
    }

    private static string TooLong(int length, AlignedModelSpec spec) =>
        $"{length} tokens, longer than max_length {spec.MaxLength}, and truncation '{JsonSerializer.Serialize(spec.Truncation).Trim('"')}' " +
        (spec.Truncation == TruncationPolicy.Error ? "refuses it" : "leaves no response token to score") +
        "; the model's field 'truncation' may be truncate-prompt (drop the oldest tokens, keeping the end) or truncate-response (cut the end), or raise its max_length";
}
