namespace PoFT.Text.Tokenizers;

/// <summary>
/// Finds a tokenizer.json's added tokens (control tokens and others) in text, as Hugging Face does before
/// anything else: leftmost-longest matches, first of the tokens with <c>normalized: false</c>, then, in the text
/// between those, of the tokens with <c>normalized: true</c>. The text is the normalized one; loaders accept
/// normalized tokens only where normalization leaves their text as it is, so the two agree.
/// </summary>
public sealed class AddedTokens
{
    private readonly TokenTrie _unnormalized;
    private readonly TokenTrie _normalized;

    public AddedTokens(IEnumerable<string> unnormalized, IEnumerable<string> normalized)
    {
        _unnormalized = new TokenTrie(unnormalized);
        _normalized = new TokenTrie(normalized);
    }

    /// <summary>text[offset..offset+length] as consecutive pieces, each an added token or the text between two.</summary>
    public IEnumerable<(int Offset, int Length, bool IsToken)> Split(string text, int offset, int length)
    {
        foreach (var piece in _unnormalized.Split(text, offset, length))
        {
            if (piece.IsToken)
                yield return piece;
            else
                foreach (var inner in _normalized.Split(text, piece.Offset, piece.Length))
                    yield return inner;
        }
    }

    private sealed class TokenTrie
    {
        private readonly Node _root = new();

        public TokenTrie(IEnumerable<string> tokens)
        {
            foreach (var token in tokens)
            {
                var node = _root;
                foreach (var c in token)
                {
                    node.Next ??= [];
                    if (!node.Next.TryGetValue(c, out var next))
                        node.Next[c] = next = new Node();
                    node = next;
                }
                node.IsEnd = token.Length > 0;
            }
        }

        public IEnumerable<(int Offset, int Length, bool IsToken)> Split(string text, int offset, int length)
        {
            var end = offset + length;
            var start = offset;
            for (var i = offset; i < end;)
            {
                var match = LongestAt(text, i, end);
                if (match == 0)
                {
                    i++;
                    continue;
                }
                if (i > start)
                    yield return (start, i - start, false);
                yield return (i, match, true);
                i += match;
                start = i;
            }
            if (end > start)
                yield return (start, end - start, false);
        }

        private int LongestAt(string text, int position, int end)
        {
            var longest = 0;
            var node = _root;
            for (var j = position; j < end && node.Next is not null && node.Next.TryGetValue(text[j], out var next); j++)
            {
                node = next;
                if (node.IsEnd)
                    longest = j + 1 - position;
            }
            return longest;
        }

        private sealed class Node
        {
            public Dictionary<char, Node>? Next;
            public bool IsEnd;
        }
    }
}
