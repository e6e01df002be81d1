using System.Collections.Generic;

namespace Edge.Cloud.OpenData;

/// <summary>
/// The open-data settings of this deployment (one municipality per cloud), bound from the <c>OpenData</c>
/// configuration section (docs/open-data.md §Settings).
/// </summary>
public sealed class OpenDataOptions
{
    public const string Section = "OpenData";

    /// <summary>Who publishes the data (DCAT <c>dct:publisher</c>, Smart Data Models <c>dataProvider</c>).</summary>
    public string Publisher { get; set; } = "Municipality of Igoumenitsa";

    /// <summary>The publisher's home page (an IRI for DCAT).</summary>
    public string PublisherUrl { get; set; } = "https://www.igoumenitsa.gr/";

    /// <summary>SPDX id of the licence every dataset is published under.</summary>
    public string License { get; set; } = "CC-BY-4.0";

    /// <summary>The public base URL of this cloud, used for absolute links in the catalogue; when empty, the
    /// request's own scheme and host.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Per dataset (<see cref="OpenDatasets"/>): <c>false</c> takes it off every public response.</summary>
    public Dictionary<string, bool> Datasets { get; set; } = new();

    /// <summary>The largest <c>limit</c> a query may ask for (larger is a 400, not a silent cut).</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>Requests one client address may make in <see cref="RateWindowSeconds"/> before a 429.</summary>
    public int RatePermits { get; set; } = 120;

    public int RateWindowSeconds { get; set; } = 60;

    /// <summary>How long clients and proxies may reuse an answer (Cache-Control max-age).</summary>
    public int CacheSeconds { get; set; } = 60;

    public bool IsOn(string dataset) => !Datasets.TryGetValue(dataset, out var on) || on;
}
