using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Commissioning;
using Edge.Cloud.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Web.Installers;

/// <summary>What became of a photo for a commissioning result: stored, or why not (the HTTP status the page answers with).</summary>
public sealed record PhotoOutcome(int Status, long PhotoBytes = 0, IReadOnlyList<string>? Errors = null)
{
    public bool Stored => Status == StatusCodes.Status200OK;
}

/// <summary>
/// The pole page's photo form, sent to <see cref="CommissioningService.AttachPhotoAsync"/> as the API's
/// <c>PUT /api/v1/nodes/{id}/commissioning/{result}/photo</c> does: a photo above
/// <see cref="CommissioningOptions.MaxPhotoBytes"/> is refused before it is read (413), then the service's checks (JPEG;
/// metadata stripped).
/// </summary>
public sealed class CommissioningPhotos(CommissioningService commissioning, IOptions<CommissioningOptions> options)
{
    public CommissioningOptions Limits => options.Value;

    public async Task<PhotoOutcome> AttachAsync(string actor, string node, long result, IFormFile? photo, CancellationToken ct = default)
    {
        if (photo is not { Length: > 0 }) return new PhotoOutcome(StatusCodes.Status400BadRequest, Errors: new[] { "photo: choose a JPEG" });
        if (photo.Length > Limits.MaxPhotoBytes) return new PhotoOutcome(StatusCodes.Status413PayloadTooLarge, photo.Length);
        using var buffer = new MemoryStream();
        await photo.CopyToAsync(buffer, ct);
        try
        {
            await commissioning.AttachPhotoAsync(actor, node, result, buffer.ToArray(), ct);
            return new PhotoOutcome(StatusCodes.Status200OK);
        }
        catch (DomainException e)
        {
            return new PhotoOutcome(e.Status, photo.Length, e.Errors.Count > 0 ? e.Errors : new[] { e.Message });
        }
    }
}
