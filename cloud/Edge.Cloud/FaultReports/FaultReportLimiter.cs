using System;
using Edge.Cloud.Requests;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.FaultReports;

/// <summary>Fixed windows of <see cref="FaultReportOptions.PerAddressPermits"/> reports per client address (the open
/// API and the pole page's form count in the same one).</summary>
public sealed class FaultReportLimiter(IOptions<FaultReportOptions> options, TimeProvider time) : AddressWindows(time)
{
    public override int Permits => options.Value.PerAddressPermits;

    public override int WindowSeconds => options.Value.PerAddressWindowSeconds;
}
