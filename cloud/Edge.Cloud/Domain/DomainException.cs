using System;
using System.Collections.Generic;

namespace Edge.Cloud.Domain;

/// <summary>
/// A request the domain refuses, with the HTTP status and a detail that says what is wrong. Services throw
/// it; <see cref="Api"/> turns it into RFC 9457 problem details. <see cref="Errors"/> lists every problem of
/// an invalid document, each as <c>path: message</c> (the firmware parsers' form).
/// </summary>
public sealed class DomainException : Exception
{
    public DomainException(int status, string title, string detail, IReadOnlyList<string>? errors = null) : base(detail)
    {
        Status = status;
        Title = title;
        Errors = errors ?? Array.Empty<string>();
    }

    public int Status { get; }

    public string Title { get; }

    public IReadOnlyList<string> Errors { get; }

    public static DomainException NotFound(string what, string id) => new(404, "Not found", $"{what} '{id}' does not exist");

    public static DomainException Invalid(string detail) => new(400, "Invalid request", detail, new[] { detail });

    public static DomainException InvalidDocument(string what, IReadOnlyList<string> errors) =>
        new(400, "Invalid document", $"{what} is invalid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}): {string.Join("; ", errors)}", errors);

    public static DomainException Conflict(string detail) => new(409, "Conflict", detail);
}
