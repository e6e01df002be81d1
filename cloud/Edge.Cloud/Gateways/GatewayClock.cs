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

    /// <summary>The clock error a batch sent at <paramref name="sentAt"/> shows, read against the cloud's clock now.</summary>
    public ClockReading Measure(long sentAt)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var offset = sentAt - now;
        var band = Math.Abs(offset) <= _options.AlarmS ? ClockBand.InBounds : offset > _options.MaxAheadS ? ClockBand.Refusing : ClockBand.Alarm;
        return new ClockReading(offset, now, band);
    }

    /// <summary>Writes <paramref name="reading"/> in <paramref name="tx"/> (the gateway's bookkeeping transaction) unless a newer
    /// one is stored (several cloud processes may take one gateway's batches). The usual case — clock in bounds — is one
    /// command: the value and the alarm's clear.</summary>
    public async Task WriteAsync(Tx tx, string gateway, ClockReading reading)
    {
        var key = AlarmRules.Key(AlarmKind, null, gateway);
        const string upsert = """
            INSERT INTO gateway_clock (gateway, offset_s, measured_at) VALUES (@g, @o, @at)
            ON CONFLICT (gateway) DO UPDATE SET offset_s = excluded.offset_s, measured_at = excluded.measured_at
            WHERE excluded.measured_at >= gateway_clock.measured_at;
            """;
        if (reading.Band == ClockBand.InBounds)
        {
            // The same statements as AlarmService.ClearAsync, sent with the upsert in one round trip; the clear only when this
            // reading is the stored one (not one another process measured later, which may be out of bounds).
            await tx.ExecAsync(upsert + """
                UPDATE alarms SET status = 'cleared', cleared_at = @at, updated_at = @at WHERE alarm_key = @k AND status IN ('open', 'acknowledged')
                AND EXISTS (SELECT 1 FROM gateway_clock WHERE gateway = @g AND offset_s = @o AND measured_at = @at)
                """,
                ("@g", gateway), ("@o", reading.Offset), ("@at", reading.At), ("@k", key));
            return;
        }
        await tx.ExecAsync(upsert, ("@g", gateway), ("@o", reading.Offset), ("@at", reading.At));
        var refusing = reading.Band == ClockBand.Refusing;
        await AlarmService.RaiseAsync(tx, null, null, gateway, AlarmKind, key, refusing ? "major" : "minor",
            $"gateway {gateway}: clock is {reading.Offset:+0;-0} s off the cloud's (alarm beyond {_options.AlarmS} s" +
            (refusing ? $"; its records dated more than {_options.MaxAheadS} s ahead are refused)" : ")"), reading.At);
        _logger.LogWarning("Gateway {Gateway}: clock is {Offset} s off the cloud's", gateway, reading.Offset);
    }
}

/// <summary>Where a gateway's clock error stands against <see cref="ClockOptions"/>: what its alarm says.</summary>
public enum ClockBand
{
    InBounds,
    /// <summary>Beyond <see cref="ClockOptions.AlarmS"/>: a minor alarm.</summary>
    Alarm,
    /// <summary>Beyond <see cref="ClockOptions.MaxAheadS"/> ahead: records are refused, a major alarm.</summary>
    Refusing,
}

/// <summary>One batch's clock error (<c>sentAt</c> − the cloud's clock) in seconds, when it was measured, and its band.</summary>
public sealed record ClockReading(long Offset, long At, ClockBand Band);
