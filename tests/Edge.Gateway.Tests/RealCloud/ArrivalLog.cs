using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Edge.Gateway.Tests.RealCloud;

/// <summary>
/// Watches the real cloud's batch endpoint from the outside (a middleware in front of it, the cloud's code
/// untouched): after each batch the cloud answered 200, the gateway seqs it carried are logged in the order the
/// cloud first accepted them. The cloud's tables keep no arrival order, so this is how a test sees it.
/// </summary>
public sealed class ArrivalLog : IStartupFilter
{
    readonly object _lock = new();
    readonly List<long> _order = new();
    readonly HashSet<long> _seen = new();

    /// <summary>Gateway seqs in order of first acceptance (a re-sent seq keeps its first place).</summary>
    public IReadOnlyList<long> Seqs()
    {
        lock (_lock) return _order.ToList();
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, proceed) =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path.Value?.EndsWith("/batches", StringComparison.Ordinal) != true)
            {
                await proceed(context);
                return;
            }
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            body.Position = 0;
            context.Request.Body = body;
            await proceed(context);
            if (context.Response.StatusCode != StatusCodes.Status200OK) return;
            var copy = new MemoryStream(body.ToArray());
            Stream json = context.Request.Headers.ContentEncoding.ToString() == "gzip" ? new GZipStream(copy, CompressionMode.Decompress) : copy;
            var seqs = JsonNode.Parse(json)!["records"]!.AsArray().Select(r => (long)r!["seq"]!).ToList();
            lock (_lock)
            {
                foreach (var seq in seqs)
                {
                    if (_seen.Add(seq)) _order.Add(seq);
                }
            }
        });
        next(app);
    };
}
