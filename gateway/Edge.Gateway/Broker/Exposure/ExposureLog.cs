using System;
using System.Net;
using Edge.Gateway.Operations;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Broker.Exposure;

/// <summary>
/// The embedded broker's log of what peers on the site network did wrong: refused CONNECTs and connections closed
/// for oversize packets or invalid topics. Peer-chosen text is clipped and cleaned (<see cref="LogText"/>), and
/// lines are throttled per remote address (<see cref="AddressThrottle"/>); the metrics count every case.
/// </summary>
public sealed class ExposureLog
{
    readonly ILogger _logger;
    readonly GatewayMetrics _metrics;
    readonly AddressThrottle _throttle;
    readonly int _textChars;

    public ExposureLog(BrokerOptions options, GatewayMetrics metrics, TimeProvider clock, ILogger<ExposureLog> logger)
    {
        var limits = options.Limits;
        _logger = logger;
        _metrics = metrics;
        _textChars = limits.LoggedTextChars;
        _throttle = new AddressThrottle(limits.LogLinesPerAddress, TimeSpan.FromSeconds(limits.LogIntervalSeconds), clock);
    }

    public void ConnectRefused(EndPoint? remote, string? clientId, string? userName, string reason)
    {
        _metrics.AuthFailures.Add(1, GatewayMetrics.Tag("reason", reason));
        if (!_throttle.TryAcquire(AddressOf(remote), out var suppressed)) return;
        _logger.LogWarning("CONNECT refused: client {ClientId} user {UserName} from {Endpoint}: {Reason}{Suppressed}",
            LogText.Clip(clientId, _textChars), LogText.Clip(userName, _textChars), remote, reason, Suppressed(suppressed));
    }

    public void ConnectionClosed(EndPoint? remote, PacketRejectedException rejection)
    {
        _metrics.ConnectionsClosed.Add(1, GatewayMetrics.Tag("reason", rejection.Reason));
        if (!_throttle.TryAcquire(AddressOf(remote), out var suppressed)) return;
        _logger.LogWarning("MQTT connection from {Endpoint} closed: {Detail}{Suppressed}", remote, rejection.Message, Suppressed(suppressed));
    }

    static IPAddress? AddressOf(EndPoint? endpoint) => endpoint is IPEndPoint ip ? ip.Address : null;

    static string Suppressed(int count) => count == 0 ? "" : $" ({count} earlier lines from this address suppressed)";
}
