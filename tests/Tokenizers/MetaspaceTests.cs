using PoFT.Text.Tokenizers;

namespace PoFT.Tests.Tokenizers;

/// <summary>Metaspace pre-tokenization, on the examples of Hugging Face tokenizers' own tests (metaspace.rs).</summary>
public class MetaspaceTests
{
    // The pieces of text (each a piece of its own, as the added-token split leaves them), with original offsets.
    private static List<(string Piece, int Start, int End)> PreTokenize(Metaspace metaspace, string text, params string[] pieces)
    {
        var result = new List<(string, int, int)>();
        var offset = 0;
        foreach (var piece in pieces.Length == 0 ? [text] : pieces)
        {
            foreach (var p in metaspace.PreTokenize(AlignedText.Of(text, offset, piece.Length)))
            {
                var (start, end) = p.Original(0, p.Text.Length);
                result.Add((p.Text, start, end));
            }
            offset += piece.Length;
        }
        return result;
    }

    [Fact]
    public void Always_with_split_prepends_and_starts_a_piece_at_each_space() =>
        Assert.Equal([("▁Hey", 0, 3), ("▁friend!", 3, 11)], PreTokenize(new Metaspace('▁', PrependScheme.Always, split: true), "Hey friend!"));

    [Fact]
    public void Each_of_several_spaces_is_a_piece() =>
        Assert.Equal([("▁Hey", 0, 3), ("▁", 3, 4), ("▁", 4, 5), ("▁friend!", 5, 13)],
            PreTokenize(new Metaspace('▁', PrependScheme.Always, split: true), "Hey   friend!"));

    [Fact]
    public void First_prepends_only_to_the_piece_that_starts_the_text()
    {
        var first = new Metaspace('▁', PrependScheme.First, split: false);
        Assert.Equal(["▁Hey▁my▁friend▁", "<s>", "how▁are▁you"],
            PreTokenize(first, "Hey my friend <s>how▁are you", "Hey my friend ", "<s>", "how▁are you").Select(p => p.Piece));
        Assert.Equal(["▁Hey▁", "<s>", "how"], PreTokenize(first, " Hey <s>how", " Hey ", "<s>", "how").Select(p => p.Piece));
        Assert.Equal(["▁Hey▁", "<s>", "how▁", "<s>", "are▁", "<s>", "▁you"],
            PreTokenize(first, " Hey <s>how <s>are <s> you", " Hey ", "<s>", "how ", "<s>", "are ", "<s>", " you").Select(p => p.Piece));
    }

    [Fact]
    public void Never_only_replaces_spaces() =>
        Assert.Equal([("Hey▁friend!", 0, 11)], PreTokenize(new Metaspace('▁', PrependScheme.Never, split: false), "Hey friend!"));
}
