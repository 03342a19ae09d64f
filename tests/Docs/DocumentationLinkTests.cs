using System.Text.RegularExpressions;
using PoFT.Tests.Support;

namespace PoFT.Tests.Docs;

/// <summary>The README and docs/ as GitHub shows them: every relative link and image names a file of the
/// repository, and every #anchor a heading of the page it points into.</summary>
public partial class DocumentationLinkTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string> { "README.md" };
        foreach (var page in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            pages.Add(Path.GetRelativePath(RepoPaths.Root, page).Replace('\\', '/'));
        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_and_anchor_resolves(string page)
    {
        var file = MarkdownFile.Read(Path.Combine(RepoPaths.Root, page));
        var broken = file.Links().Select(link => Broken(file, link) is { } why ? $"{page}:{link.Line}: ({link.Target}) {why}" : null).OfType<string>().ToList();
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void The_readme_stays_an_entrance()
    {
        var readme = MarkdownFile.Read(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.True(readme.LineCount <= 300, $"README.md has {readme.LineCount} lines; depth goes into docs/");
    }

    [Theory]
    [InlineData("PoFT → DPO vs CE → DPO", "poft--dpo-vs-ce--dpo")]
    [InlineData("TorchSharp on Debian 12 / Ubuntu 22.04", "torchsharp-on-debian-12--ubuntu-2204")]
    [InlineData("Precision: scores, speed and memory", "precision-scores-speed-and-memory")]
    [InlineData("`init-model` and [LoRA](docs/training.md#lora)", "init-model-and-lora")]
    [InlineData("snake_case Überblick", "snake_case-überblick")]
    public void Anchors_follow_GitHubs_slugs(string heading, string anchor) =>
        Assert.Equal(anchor, MarkdownFile.GitHubSlug(heading));

    /// <summary>Why a link does not resolve, or null when it does.</summary>
    private static string? Broken(MarkdownFile page, MarkdownFile.Link link)
    {
        if (ExternalScheme().IsMatch(link.Target))
            return null;
        var hash = link.Target.IndexOf('#', StringComparison.Ordinal);
        var (path, anchor) = hash < 0 ? (link.Target, null) : (link.Target[..hash], link.Target[(hash + 1)..]);
        var folder = path.StartsWith('/') ? RepoPaths.Root : Path.GetDirectoryName(page.Path)!;
        var target = path.Length == 0 ? page.Path : Path.GetFullPath(Uri.UnescapeDataString(path.TrimStart('/')), folder);
        if (!target.StartsWith(RepoPaths.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return "points outside the repository";
        if (!File.Exists(target) && !Directory.Exists(target))
            return "no such file";
        if (anchor is null || !target.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
            return null;
        var anchors = MarkdownFile.Read(target).Anchors;
        return anchors.Contains(Uri.UnescapeDataString(anchor)) ? null : $"no heading with anchor #{anchor} in {Path.GetRelativePath(RepoPaths.Root, target)}";
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex ExternalScheme();
}
