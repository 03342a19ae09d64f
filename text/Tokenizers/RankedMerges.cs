namespace PoFT.Text.Tokenizers;

/// <summary>
/// A BPE vocabulary's merges as a table of pairs (left id, right id) → (rank, merged id), and the merge of one
/// pre-token in O(n log n): a priority queue of the adjacent pairs that have a merge, lowest rank first and leftmost
/// among equal ranks — the order of Hugging Face tokenizers' <c>Word::merge_all</c> (tokenizers/src/models/bpe/word.rs),
/// so the ids are Hugging Face's. The library's BPE re-scans the whole pre-token after each merge, quadratic in its
/// length; for the short pre-tokens of ordinary text that costs nothing, for one long run without spaces (base64,
/// minified code, DNA) it costs minutes, hence this.
/// </summary>
public sealed class RankedMerges
{
    private readonly Dictionary<long, (int Rank, int Id)> _pairs = [];

    /// <param name="vocabulary">Token text → id.</param>
    /// <param name="merges">"left right", highest priority first; a merge whose parts or result the vocabulary lacks
    /// is skipped (it can never apply).</param>
    public RankedMerges(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<string> merges)
    {
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var space = merges[rank].IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
                continue;
            var (left, right) = (merges[rank][..space], merges[rank][(space + 1)..]);
            if (vocabulary.TryGetValue(left, out var leftId) && vocabulary.TryGetValue(right, out var rightId)
                && vocabulary.TryGetValue(left + right, out var mergedId))
                _pairs.TryAdd(Key(leftId, rightId), (rank, mergedId));
        }
    }

    /// <summary>One symbol of a pre-token: its id, and the range of the text it spans (end exclusive).</summary>
    public readonly record struct Symbol(int Id, int Start, int End);

    /// <summary>Merges the symbols of one pre-token (its characters or bytes) as far as the merges go.</summary>
    public List<Symbol> Merge(IReadOnlyList<Symbol> symbols)
    {
        var n = symbols.Count;
        var (ids, starts, ends) = (new int[n], new int[n], new int[n]);
        var (previous, next) = (new int[n], new int[n]);
        var queue = new PriorityQueue<int, (int Rank, int Position)>();
        for (var i = 0; i < n; i++)
        {
            (ids[i], starts[i], ends[i]) = (symbols[i].Id, symbols[i].Start, symbols[i].End);
            (previous[i], next[i]) = (i - 1, i + 1 < n ? i + 1 : -1);
        }
        for (var i = 0; i + 1 < n; i++)
            Enqueue(queue, ids, i, i + 1);
        var alive = new bool[n];
        Array.Fill(alive, true);
        while (queue.TryDequeue(out var left, out var priority))
        {
            // An entry is stale when its left symbol was merged away or its pair changed since it was queued.
            var right = alive[left] ? next[left] : -1;
            if (right < 0 || !_pairs.TryGetValue(Key(ids[left], ids[right]), out var merge) || merge.Rank != priority.Rank)
                continue;
            (ids[left], ends[left]) = (merge.Id, ends[right]);
            alive[right] = false;
            next[left] = next[right];
            if (next[right] >= 0)
                previous[next[right]] = left;
            if (previous[left] >= 0)
                Enqueue(queue, ids, previous[left], left);
            if (next[left] >= 0)
                Enqueue(queue, ids, left, next[left]);
        }
        var merged = new List<Symbol>();
        for (var i = n > 0 ? 0 : -1; i >= 0; i = next[i])
            merged.Add(new Symbol(ids[i], starts[i], ends[i]));
        return merged;
    }

    private void Enqueue(PriorityQueue<int, (int Rank, int Position)> queue, int[] ids, int left, int right)
    {
        if (_pairs.TryGetValue(Key(ids[left], ids[right]), out var merge))
            queue.Enqueue(left, (merge.Rank, left));
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
