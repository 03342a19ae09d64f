using System.Text;

namespace PoFT.Report;

/// <summary>A GitHub-flavoured Markdown table.</summary>
public static class MarkdownTable
{
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        Row(text, header);
        Row(text, [.. header.Select(_ => "---")]);
        foreach (var row in rows)
        {
            if (row.Count != header.Count)
                throw new ArgumentException($"a row has {row.Count} cells, the header {header.Count}");
            Row(text, row);
        }
        return text.ToString();
    }

    // A pipe inside a cell would end it early; newlines would end the row.
    private static void Row(StringBuilder text, IReadOnlyList<string> cells) =>
        text.Append("| ").AppendJoin(" | ", cells.Select(c => c.Replace("|", "\\|").ReplaceLineEndings(" "))).Append(" |\n");
}
