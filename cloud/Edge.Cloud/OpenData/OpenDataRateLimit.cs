using System;
using System.Globalization;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.OpenData;

/// <summary>
/// A fixed window of <see cref="OpenDataOptions.RatePermits"/> requests per client address for every public
/// open-data route, answered with a 429 problem and <c>Retry-After</c>. Its own limiter (not a policy of the app's
/// rate limiter) so its refusal speaks NGSI-LD and never borrows another route's wording.
/// </summary>
public sealed class OpenDataRateLimit : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter;

    public OpenDataRateLimit(IOptions<OpenDataOptions> options, TimeProvider time)
    {
        var o = options.Value;
        _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = o.RatePermits,
                Window = TimeSpan.FromSeconds(o.RateWindowSeconds),
                QueueLimit = 0,
            }));
    }

    public async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        using var lease = _limiter.AttemptAcquire(context.HttpContext);
        if (!lease.IsAcquired)
        {
            var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : (int?)null;
            if (retry is not null) context.HttpContext.Response.Headers.RetryAfter = retry.Value.ToString(CultureInfo.InvariantCulture);
            return NgsiProblem.TooManyRequests("too many requests from this address" + (retry is null ? "" : $"; try again in {retry} s")).ToResult();
        }
        try
        {
            return await next(context);
        }
        catch (NgsiProblem problem)
        {
            return problem.ToResult();
        }
    }

    public void Dispose() => _limiter.Dispose();
}
