using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Edge.Repository.Tests;

/// <summary>
/// Finds every place a document points at a file: Markdown links (relative to the document) and paths
/// written in code spans that start with one of the repository's top-level folders (relative to the root,
/// the convention of README and docs).
/// </summary>
internal static partial class DocumentationLinks
{
    public sealed record Link(string Document, int Line, string Target, string Resolved);

    // Folders a code-span path may start with; anything else in backticks is a name, a command or a value.
    private static readonly string[] TopLevel =
        ["cloud/", "deploy/", "docs/", "firmware/", "gateway/", "hardware/", "scripts/", "sim/", "tests/", "tools/", ".ci/"];

    [GeneratedRegex(@"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"`([^`\s]+)`")]
    private static partial Regex CodeSpan();

    public static IEnumerable<string> Documents(string root)
    {
        yield return Path.Combine(root, "README.md");
        foreach (var folder in new[] { "docs", "hardware" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.md", SearchOption.AllDirectories))
                yield return file;
        }
    }

    public static IEnumerable<Link> In(string root, string document)
    {
        var lines = File.ReadAllLines(document);
        var folder = Path.GetDirectoryName(document)!;
        var inFence = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inFence = !inFence; continue; }
            foreach (Match m in MarkdownLink().Matches(line))
            {
                var target = m.Groups[1].Value;
                if (IsExternal(target) || target.StartsWith('#')) continue;
                var path = Uri.UnescapeDataString(target.Split('#')[0]);
                if (path.Length == 0) continue;
                yield return new Link(document, i + 1, target, Path.GetFullPath(Path.Combine(folder, path)));
            }
            // Code blocks hold commands and examples, whose paths are often made up or built later.
            if (inFence) continue;
            foreach (Match m in CodeSpan().Matches(line))
            {
                var target = m.Groups[1].Value.TrimEnd('.', ',', ':', ';');
                if (target.StartsWith("../", StringComparison.Ordinal))
                {
                    yield return new Link(document, i + 1, target, Path.GetFullPath(Path.Combine(root, target)));
                    continue;
                }
                if (!TopLevel.Any(t => target.StartsWith(t, StringComparison.Ordinal))) continue;
                // Patterns and placeholders (`firmware/Edge.Firmware.Esp32.*`, `hardware/<type>/pins.json`) and
                // build output name no single file.
                if (target.IndexOfAny(['*', '<', '{', '…', '$']) >= 0) continue;
                if (target.Contains("/bin/", StringComparison.Ordinal) || target.Contains("/obj/", StringComparison.Ordinal)) continue;
                yield return new Link(document, i + 1, target, Path.GetFullPath(Path.Combine(root, target)));
            }
        }
    }

    private static bool IsExternal(string target) =>
        target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal);
}
