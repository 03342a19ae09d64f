using System.Globalization;
using PoFT.Text.Tokenizers;

namespace PoFT.Tests.Tokenizers;

/// <summary>The pieces of Hugging Face's pre-tokenization that PoFT reimplements, on small cases.</summary>
public class PreTokenizationTests
{
    private static List<string> Pieces(HfSplit split, string text) =>
        [.. split.Split(text, 0, text.Length).Select(p => text.Substring(p.Offset, p.Length))];

    private static HfSplit Split(string regex, SplitBehavior behavior, bool invert = false) =>
        new(CodePointRegex.Create("test", "pattern", regex), behavior, invert);

    [Theory]
    // Hugging Face's documented example: "the-final--countdown" split on "-".
    [InlineData(SplitBehavior.Removed, new[] { "the", "final", "countdown" })]
    [InlineData(SplitBehavior.Isolated, new[] { "the", "-", "final", "-", "-", "countdown" })]
    [InlineData(SplitBehavior.MergedWithPrevious, new[] { "the-", "final-", "-", "countdown" })]
    [InlineData(SplitBehavior.MergedWithNext, new[] { "the", "-final", "-", "-countdown" })]
    [InlineData(SplitBehavior.Contiguous, new[] { "the", "-", "final", "--", "countdown" })]
    public void Split_behaviors_cut_as_Hugging_Face_documents(SplitBehavior behavior, string[] expected) =>
        Assert.Equal(expected, Pieces(Split("-", behavior), "the-final--countdown"));

    [Fact]
    public void Inverted_split_treats_the_text_between_matches_as_the_delimiters() =>
        Assert.Equal(["Hello", "world"], Pieces(Split(@"\w+", SplitBehavior.Removed, invert: true), "Hello, world!"));

    [Fact]
    public void Unicode_classes_match_characters_outside_the_basic_multilingual_plane_as_one_code_point()
    {
        // Llama-3's digit rule: at most three digits per piece, counted in code points (𝟙 is U+1D7D9, Nd).
        Assert.Equal(["𝟙𝟚𝟛", "𝟜"], Pieces(Split(@"\p{N}{1,3}", SplitBehavior.Isolated), "𝟙𝟚𝟛𝟜"));
        Assert.Equal([" ", "𝟙"], Pieces(Split(@" ?[^\s\p{L}\p{N}]+|\s+|\p{N}+", SplitBehavior.Isolated), " 𝟙"));
        Assert.Equal(["a", "😀", "b"], Pieces(Split(@"\p{So}", SplitBehavior.Isolated), "a😀b"));
        Assert.Equal(["𠀀"], Pieces(Split(@"^.$", SplitBehavior.Isolated), "𠀀"));
    }

    [Fact]
    public void Each_stand_in_has_the_category_it_stands_for()
    {
        Assert.Equal(30, CodePointRegex.StandIns.Length);
        for (var category = 0; category < CodePointRegex.StandIns.Length; category++)
            Assert.Equal((UnicodeCategory)category, CharUnicodeInfo.GetUnicodeCategory(CodePointRegex.StandIns[category]));
    }

    [Fact]
    public void A_regex_with_a_literal_outside_the_basic_multilingual_plane_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => CodePointRegex.Create("tokenizer.json", "pre_tokenizer.pattern", "😀+"));
        Assert.Contains("tokenizer.json: field 'pre_tokenizer.pattern'", error.Message);
    }

    [Fact]
    public void Added_tokens_match_leftmost_longest_the_unnormalized_ones_first()
    {
        var added = new AddedTokens(["<a>", "<a><b>", "b>"], ["x<", "y"]);
        const string text = "<a><b>-<a>b>x<a>y";
        var pieces = added.Split(text, 0, text.Length).Select(p => (text.Substring(p.Offset, p.Length), p.IsToken));
        // "x<" (normalized) starts leftmost in "x<a>", but the unnormalized "<a>" is cut out before it is looked for.
        Assert.Equal([("<a><b>", true), ("-", false), ("<a>", true), ("b>", true), ("x", false), ("<a>", true), ("y", true)], pieces);
    }
}
