using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.FaultReports;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Web.Public;

/// <summary>What became of a citizen's report: sent, or why not (the HTTP status the page answers with).</summary>
public sealed record ReportOutcome(int Status, long RetryAfterS = 0, long PhotoBytes = 0, IReadOnlyList<string>? Errors = null)
{
    public bool Sent => Status == StatusCodes.Status201Created;
}

/// <summary>
/// The fault report form of the pole page (<c>/n/{id}</c>), sent to <see cref="FaultReportService"/> under the limits of
/// the open API (<c>POST /api/v1/public/nodes/{id}/fault-reports</c>): a photo above
/// <see cref="FaultReportOptions.MaxPhotoBytes"/> is refused before anything else (413, no report counted), then the
/// per-address window of <see cref="FaultReportLimiter"/> (the same one the API counts in: 429 with the wait), then the
/// service's own checks (kind, text, JPEG; metadata stripped).
/// </summary>
public sealed class CitizenReports(FaultReportService reports, FaultReportLimiter limiter, IOptions<FaultReportOptions> options)
{
    public FaultReportOptions Limits => options.Value;

    public async Task<ReportOutcome> SubmitAsync(string node, string? kind, string? text, IFormFile? photo, string address, CancellationToken ct = default)
    {
        if (photo is { Length: > 0 } && photo.Length > Limits.MaxPhotoBytes) return new ReportOutcome(StatusCodes.Status413PayloadTooLarge, PhotoBytes: photo.Length);
        long wait = await limiter.TryTakeAsync(address, ct);
        if (wait > 0) return new ReportOutcome(StatusCodes.Status429TooManyRequests, RetryAfterS: wait);
        string? base64 = null;
        if (photo is { Length: > 0 })
        {
            using var buffer = new MemoryStream();
            await photo.CopyToAsync(buffer, ct);
            base64 = Convert.ToBase64String(buffer.ToArray());
        }
        try
        {
            await reports.ReportAsync(node, new FaultReportRequest(kind ?? "", text, base64), ct);
            return new ReportOutcome(StatusCodes.Status201Created);
        }
        catch (DomainException e)
        {
            return new ReportOutcome(e.Status, Errors: e.Errors.Count > 0 ? e.Errors : new[] { e.Message });
        }
    }
}
