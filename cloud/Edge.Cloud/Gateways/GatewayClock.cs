using System;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Domain;
using Edge.Cloud.Ingestion;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Gateways;

/// <summary>
/// Measures each gateway's clock error from its batches: <c>sentAt</c> (the gateway's clock when it sent) minus
/// the cloud's clock on arrival. Keeps the latest value per gateway (<c>gateway_clock</c>, shown by
/// <c>GET /gateways</c>) and raises the <c>gateway.clock</c> alarm while the error exceeds
/// <see cref="ClockOptions.AlarmS"/> (major once records get refused, beyond <see cref="ClockOptions.MaxAheadS"/>),
/// clearing it when a batch arrives with the clock back in bounds. Network delay makes a correct clock read a
/// second or two behind, well inside the bounds.
/// </summary>
public sealed class GatewayClock
{
    public const string AlarmKind = "gateway.clock";

    private readonly TimeProvider _time;
    private readonly ClockOptions _options;
    private readonly ILogger<GatewayClock> _logger;

    public GatewayClock(TimeProvider time, IOptions<ClockOptions> options, ILogger<GatewayClock> logger)
    {
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Records the clock error a batch sent at <paramref name="sentAt"/> shows, in <paramref name="tx"/> (the batch
    /// endpoint's bookkeeping transaction). The usual case — clock in bounds — is one command: the value and the alarm's clear.</summary>
    public async Task RecordAsync(Tx tx, string gateway, long sentAt)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var offset = sentAt - now;
        var key = AlarmRules.Key(AlarmKind, null, gateway);
        const string upsert = """
            INSERT INTO gateway_clock (gateway, offset_s, measured_at) VALUES (@g, @o, @at)
            ON CONFLICT (gateway) DO UPDATE SET offset_s = excluded.offset_s, measured_at = excluded.measured_at;
            """;
        if (Math.Abs(offset) <= _options.AlarmS)
        {
            // The same statements as AlarmService.ClearAsync, sent with the upsert in one round trip.
            await tx.ExecAsync(upsert + "UPDATE alarms SET status = 'cleared', cleared_at = @at, updated_at = @at WHERE alarm_key = @k AND status IN ('open', 'acknowledged')",
                ("@g", gateway), ("@o", offset), ("@at", now), ("@k", key));
            return;
        }
        await tx.ExecAsync(upsert, ("@g", gateway), ("@o", offset), ("@at", now));
        var refusing = offset > _options.MaxAheadS;
        await AlarmService.RaiseAsync(tx, null, null, gateway, AlarmKind, key, refusing ? "major" : "minor",
            $"gateway {gateway}: clock is {offset:+0;-0} s off the cloud's (alarm beyond {_options.AlarmS} s" +
            (refusing ? $"; its records dated more than {_options.MaxAheadS} s ahead are refused)" : ")"), now);
        _logger.LogWarning("Gateway {Gateway}: clock is {Offset} s off the cloud's", gateway, offset);
    }
}
