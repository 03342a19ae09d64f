using System.Text.RegularExpressions;

namespace PoFT.Tests.Support;

/// <summary>What the documentation tests read of a Markdown file, as GitHub renders it: headings and the anchors
/// GitHub gives them, fenced code blocks, and the links and images outside code.</summary>
public sealed partial class MarkdownFile
{
    public sealed record Heading(int Level, string Text, int Line);

    public sealed record CodeBlock(string Language, IReadOnlyList<string> Lines, int Line);

    public sealed record Link(string Target, int Line);

    private enum Kind { Text, FenceOpen, Code, FenceClose }

    private readonly string[] _lines;
    private readonly Kind[] _kinds;

    private MarkdownFile(string path, string[] lines)
    {
        Path = path;
        _lines = lines;
        _kinds = new Kind[lines.Length];
        var fence = "";
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (fence.Length == 0)
            {
                if (Fence().Match(trimmed) is { Success: true } open)
                    (fence, _kinds[i]) = (open.Groups[1].Value, Kind.FenceOpen);
            }
            // A fence closes on a line of at least as many of its characters and nothing else.
            else if (trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]))
                (fence, _kinds[i]) = ("", Kind.FenceClose);
            else
                _kinds[i] = Kind.Code;
        }
    }

    public string Path { get; }

    public static MarkdownFile Read(string path) => new(path, File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'));

    public int LineCount => _lines.Length - (_lines[^1].Length == 0 ? 1 : 0);

    public IEnumerable<Heading> Headings =>
        Enumerable.Range(0, _lines.Length).Where(i => _kinds[i] == Kind.Text)
            .Select(i => (Index: i, Match: HeadingLine().Match(_lines[i])))
            .Where(h => h.Match.Success)
            .Select(h => new Heading(h.Match.Groups[1].Length, h.Match.Groups[2].Value.Trim(), h.Index + 1));

    /// <summary>The anchors GitHub gives the headings: each heading's slug, a repeated slug suffixed -1, -2, ….</summary>
    public IReadOnlySet<string> Anchors
    {
        get
        {
            var anchors = new HashSet<string>(StringComparer.Ordinal);
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var heading in Headings)
            {
                var slug = GitHubSlug(heading.Text);
                var count = seen.GetValueOrDefault(slug);
                seen[slug] = count + 1;
                anchors.Add(count == 0 ? slug : $"{slug}-{count}");
            }
            return anchors;
        }
    }

    /// <summary>GitHub's heading anchor: the heading's text (a link's text, not its address) lower-cased, every
    /// character but letters, marks, digits, connectors, spaces and hyphens removed, spaces turned to hyphens.</summary>
    public static string GitHubSlug(string heading)
    {
        var text = InlineLink().Replace(heading, "$1");
        return NotInSlug().Replace(text.ToLowerInvariant(), "").Replace(' ', '-');
    }

    /// <summary>The file from a heading with this text to the next heading of the same or a higher level.</summary>
    public MarkdownFile Section(string heading)
    {
        var start = Headings.FirstOrDefault(h => h.Text == heading)
            ?? throw new InvalidOperationException($"{Path}: no heading '{heading}'");
        var end = Headings.FirstOrDefault(h => h.Line > start.Line && h.Level <= start.Level)?.Line - 1 ?? _lines.Length;
        return new MarkdownFile(Path, _lines[(start.Line - 1)..end]);
    }

    public IEnumerable<CodeBlock> CodeBlocks()
    {
        for (var i = 0; i < _lines.Length; i++)
        {
            if (_kinds[i] != Kind.FenceOpen)
                continue;
            var language = Fence().Match(_lines[i].Trim()).Groups[2].Value.Trim().Split(' ')[0];
            var body = _lines.Skip(i + 1).TakeWhile((_, k) => _kinds[i + 1 + k] == Kind.Code).ToList();
            yield return new CodeBlock(language, body, i + 1);
        }
    }

    /// <summary>Every link and image outside code blocks and code spans, by its address as written.</summary>
    public IEnumerable<Link> Links()
    {
        for (var i = 0; i < _lines.Length; i++)
        {
            if (_kinds[i] != Kind.Text)
                continue;
            var text = CodeSpan().Replace(_lines[i], m => new string('x', m.Length));
            foreach (Match link in InlineLinkTarget().Matches(text))
                yield return new Link(link.Groups[1].Value, i + 1);
        }
    }

    [GeneratedRegex(@"^(`{3,}|~{3,})(.*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^(#{1,6})\s+(.*?)\s*#*\s*$")]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"!?\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex InlineLinkTarget();

    [GeneratedRegex(@"(`+)(?:(?!\1).)+?\1")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"[^\p{L}\p{M}\p{N}\p{Pc} -]")]
    private static partial Regex NotInSlug();
}
