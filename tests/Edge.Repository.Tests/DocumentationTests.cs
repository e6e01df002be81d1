using System;
using System.IO;
using System.Linq;

namespace Edge.Repository.Tests;

/// <summary>
/// A clone of this repository is all a user has: README.md and every page under docs/ and hardware/ may
/// point only at files inside it, and only at files that exist.
/// </summary>
public sealed class DocumentationTests
{
    private static readonly string Root = RepositoryRoot.Path;

    [Fact]
    public void Every_link_and_path_in_the_documentation_stays_inside_the_repository_and_exists()
    {
        var links = DocumentationLinks.Documents(Root).SelectMany(d => DocumentationLinks.In(Root, d)).ToList();
        // The scan must have found the documentation's cross-references, or it checks nothing.
        Assert.True(links.Count > 50, $"only {links.Count} links found: the scanner is broken");

        var rootWithSlash = Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var problems = links
            .Select(l => (l, outside: !l.Resolved.StartsWith(rootWithSlash, StringComparison.Ordinal)))
            .Where(x => x.outside || !(File.Exists(x.l.Resolved) || Directory.Exists(x.l.Resolved)))
            .Select(x => $"{Path.GetRelativePath(Root, x.l.Document)}:{x.l.Line}: {x.l.Target} " +
                         (x.outside ? "leaves the repository" : "does not exist"))
            .ToList();
        Assert.True(problems.Count == 0, "Documentation points outside the repository or at missing files:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void The_scanner_reports_a_link_that_leaves_the_repository_and_a_missing_file()
    {
        var dir = Directory.CreateTempSubdirectory("edge-doc-links-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "README.md"),
                "See [design](../shared/DESIGN.md), `docs/nowhere.md` and [ok](README.md).\n```\n`docs/in-a-fence.md`\n```\n");
            var links = DocumentationLinks.In(dir.FullName, Path.Combine(dir.FullName, "README.md")).ToList();
            Assert.Equal(["../shared/DESIGN.md", "README.md", "docs/nowhere.md"], links.Select(l => l.Target));
            Assert.False(links[0].Resolved.StartsWith(dir.FullName + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        }
        finally { dir.Delete(true); }
    }
}
