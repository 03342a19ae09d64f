using PoFT.Tests.Support;

namespace PoFT.Tests.Tokenizers;

/// <summary>
/// A 400 KB run without spaces — a base64 image, minified code, DNA in one sample — encodes to Hugging Face's ids
/// (its JavaScript tokenizers, tests/reference): the long-pre-token path that makes it near-linear
/// (LongPreTokenBpe, RankedMerges) changes no id. Shorter long runs of every script are in
/// <see cref="ReferenceStrings.LongRuns"/>, compared on every tokenizer by HuggingFaceReferenceTests; the
/// times are in the bench (docs/performance.md#long-text-tokenization), never here.
/// </summary>
public class LongRunTests
{
    [Theory]
    [InlineData("qwen3")]
    [InlineData("mistral")]
    [Trait(TestTier.Category, TestTier.Slow)]
    public void A_400_KB_run_without_spaces_encodes_to_Hugging_Faces_ids(string name)
    {
        var random = new Random(400);
        var run = "see " + string.Concat(Enumerable.Range(0, 400_000).Select(_ => (char)('a' + random.Next(26)))) + " and more";

        var expected = HfReference.Encode(RepoPaths.Tokenizer(name), [run])[0].Ids;
        var ours = RealTokenizers.ByName(name).Encode(run).Ids;

        Assert.True(expected.SequenceEqual(ours), $"{name}: {ours.Length} ids, Hugging Face {expected.Length}; first difference at "
            + Enumerable.Range(0, Math.Min(ours.Length, expected.Length)).FirstOrDefault(i => ours[i] != expected[i], -1));
    }
}
