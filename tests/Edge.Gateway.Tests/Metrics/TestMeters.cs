using System;
using System.Diagnostics.Metrics;
using Edge.Gateway.Operations;
using Edge.Tests.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Gateway.Tests.Metrics;

/// <summary>A <see cref="GatewayMetrics"/> outside a host (the outbox alone), on its own meter factory, with a reader.</summary>
public sealed class TestMeters : IDisposable
{
    readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public TestMeters()
    {
        Reader = new MeterReader(_services.GetRequiredService<IMeterFactory>());
        Gateway = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>());
    }

    public GatewayMetrics Gateway { get; }
    public MeterReader Reader { get; }

    public void Dispose()
    {
        Reader.Dispose();
        _services.Dispose();
    }
}
