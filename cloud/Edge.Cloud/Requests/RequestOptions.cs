using System.Collections.Generic;

namespace Edge.Cloud.Requests;

/// <summary><c>Requests:</c> body limits of the user-facing API and the reverse proxies trusted for the client's
/// address and scheme. The gateway batch endpoint keeps its own limit (<c>Ingestion:MaxBatchBytes</c>).</summary>
public sealed class RequestOptions
{
    public const string Section = "Requests";

    /// <summary>Body limit of every JSON endpoint under <c>/api/v1</c> that names no smaller one.</summary>
    public long MaxJsonBytes { get; set; } = 256 * 1024;

    /// <summary>Body limit of <c>POST /auth/login</c>: a name and a password, so it never parses a large body.</summary>
    public long MaxLoginBytes { get; set; } = 4096;

    /// <summary>Addresses of reverse proxies (besides loopback, always trusted) whose <c>X-Forwarded-For</c> and
    /// <c>X-Forwarded-Proto</c> are believed: the client address for login limits and audit, HTTPS for the
    /// <c>Secure</c> cookie flag.</summary>
    public List<string> KnownProxies { get; set; } = new();
}
