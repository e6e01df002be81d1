using System.Collections.Generic;

namespace Edge.Cloud.Transit.Gtfs;

/// <summary>One problem of a refused feed: the file, its line (1 = the header; 0 = the file or the zip as a
/// whole), the field and what is wrong.</summary>
public sealed record GtfsProblem(string File, int Line, string? Field, string Message)
{
    public override string ToString() => $"{File}{(Line > 0 ? ":" + Line : "")}{(Field is null ? "" : " " + Field)}: {Message}";
}

/// <summary>Collects problems up to a cap (a feed broken on every line must not produce a million-item
/// answer) and counts the rest.</summary>
public sealed class GtfsProblems
{
    public const int MaxListed = 500;

    private readonly List<GtfsProblem> _list = new();

    public IReadOnlyList<GtfsProblem> List => _list;

    public int Total { get; private set; }

    public bool Any => Total > 0;

    public void Add(string file, int line, string? field, string message)
    {
        Total++;
        if (_list.Count < MaxListed) _list.Add(new GtfsProblem(file, line, field, message));
    }
}

/// <summary>A feed refused before anything was stored: the active feed is unchanged.</summary>
public sealed class GtfsFeedException : System.Exception
{
    public GtfsFeedException(GtfsProblems problems)
        : base($"the feed has {problems.Total} problem(s); first: {problems.List[0]}") => Problems = problems;

    public GtfsProblems Problems { get; }
}
