using System.Collections.Generic;
using System.Linq;
using TransitRealtime;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>The latest accepted ServiceAlerts feed: its alerts (which stops they reach: <see cref="StopAlerts"/>).</summary>
public sealed class ServiceAlerts : RealtimeFeed<ServiceAlerts.Snapshot>
{
    public sealed record Snapshot(ulong Timestamp, IReadOnlyList<Alert> Alerts)
    {
        public static readonly Snapshot Empty = new(0, []);
    }

    public ServiceAlerts() : base(Snapshot.Empty) { }

    protected override (Snapshot, int) Index(FeedMessage message)
    {
        var alerts = message.Entity.Where(e => !e.IsDeleted && e.Alert is not null).Select(e => e.Alert).ToList();
        return (new Snapshot(message.Header.Timestamp, alerts), alerts.Count);
    }
}
