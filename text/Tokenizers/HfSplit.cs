namespace PoFT.Text.Tokenizers;

/// <summary>What a Split pre-tokenizer does with the matches of its pattern (Hugging Face's SplitDelimiterBehavior).</summary>
public enum SplitBehavior
{
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

/// <summary>
/// Hugging Face's Split pre-tokenizer: cuts a piece of text at the matches of a pattern, a match becoming a piece of
/// its own, joining the piece before or after it, or dropped, as <see cref="SplitBehavior"/> says. A ByteLevel
/// pre-tokenizer with use_regex is one too (GPT-2's pattern, Isolated). Empty pieces are dropped, as there.
/// </summary>
public sealed class HfSplit(CodePointRegex pattern, SplitBehavior behavior, bool invert)
{
    /// <summary>The pieces of text[offset..offset+length], as (offset, length) in <paramref name="text"/>.</summary>
    public IEnumerable<(int Offset, int Length)> Split(string text, int offset, int length)
    {
        var piece = text.Substring(offset, length);
        var cuts = Merge(Segments(piece));
        foreach (var (start, end, isMatch) in cuts)
        {
            if (end > start && !(behavior == SplitBehavior.Removed && isMatch))
                yield return (offset + start, end - start);
        }
    }

    // The piece cut into alternating non-matches and matches covering all of it (Hugging Face's find_matches).
    private List<(int Start, int End, bool IsMatch)> Segments(string piece)
    {
        var segments = new List<(int Start, int End, bool IsMatch)>();
        var previous = 0;
        foreach (var (start, end) in pattern.Matches(piece))
        {
            if (start > previous)
                segments.Add((previous, start, invert));
            segments.Add((start, end, !invert));
            previous = end;
        }
        if (previous < piece.Length)
            segments.Add((previous, piece.Length, invert));
        return segments;
    }

    private List<(int Start, int End, bool IsMatch)> Merge(List<(int Start, int End, bool IsMatch)> segments)
    {
        switch (behavior)
        {
            case SplitBehavior.Removed or SplitBehavior.Isolated:
                return segments;
            case SplitBehavior.MergedWithNext:
                // A match starts the piece after it: the same fold as MergedWithPrevious, from the end.
                segments.Reverse();
                var merged = Fold(segments, (last, next) => (next.Start, last.End, false), joinMatchToPrevious: true);
                merged.Reverse();
                return merged;
            default:
                return Fold(segments, (last, next) => (last.Start, next.End, false),
                    joinMatchToPrevious: behavior == SplitBehavior.MergedWithPrevious);
        }
    }

    // MergedWithPrevious (and, reversed, MergedWithNext) join a match to the piece before it; Contiguous joins
    // each segment to the one before when both are matches or both are not.
    private List<(int Start, int End, bool IsMatch)> Fold(List<(int Start, int End, bool IsMatch)> segments,
        Func<(int Start, int End, bool IsMatch), (int Start, int End, bool IsMatch), (int, int, bool)> join, bool joinMatchToPrevious)
    {
        var result = new List<(int Start, int End, bool IsMatch)>();
        var previousMatched = false;
        foreach (var segment in segments)
        {
            var joins = joinMatchToPrevious ? segment.IsMatch && !previousMatched : segment.IsMatch == previousMatched;
            if (joins && result.Count > 0)
                result[^1] = join(result[^1], segment);
            else
                result.Add((segment.Start, segment.End, false));
            previousMatched = segment.IsMatch;
        }
        return result;
    }
}
