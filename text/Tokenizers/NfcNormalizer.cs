using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// Unicode NFC, the normalizer of Qwen's tokenizer.json. Under invariant globalization .NET cannot normalize,
/// so then text that NFC could change (it holds combining marks) is an error rather than silently encoded
/// differently from Hugging Face.
/// </summary>
public sealed class NfcNormalizer(string source) : Normalizer
{
    private static readonly bool RuntimeNormalizes = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00e9";

    public override string Normalize(string original)
    {
        if (RuntimeNormalizes)
            return original.Normalize(NormalizationForm.FormC);
        foreach (var c in original)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
                throw new NotSupportedException(
                    $"{source}: normalizer NFC needs ICU, but this process runs with invariant globalization and the text holds combining marks");
        }
        return original;
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
