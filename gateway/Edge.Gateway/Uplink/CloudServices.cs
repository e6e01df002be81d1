using System;
using System.IO;
using Azure.Messaging.EventHubs.Producer;
using Edge.Gateway.Downlink;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using Edge.Gateway.Rules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Edge.Gateway.Uplink;

/// <summary>Registers the uplink (chosen by <c>Gateway:Uplink:Kind</c>), the downlink and the local rules.</summary>
public static class CloudServices
{
    public static IServiceCollection AddUplinkDownlinkAndRules(this IServiceCollection services, GatewayOptions options)
    {
        var uplink = options.Uplink;
        services.AddSingleton(uplink);
        services.AddSingleton(options.Downlink);
        services.AddSingleton(options.Rules);
        services.AddSingleton<GatewayRecords>();
        services.AddSingleton(_ => new DeadLetters(Path.Combine(options.ResolveDataDir(), "dead-letters.db"), options.Outbox.Synchronous));
        services.TryAddSingleton<IUplinkDelay, SystemUplinkDelay>();

        // Uplink: HTTPS (default) or Event Hubs; off when not configured (reported in /health, records wait in the outbox).
        // Senders carry the outbox's epoch (docs/uplink.md §2), so they are made once the outbox is open.
        Func<IServiceProvider, IRecordSender>? sender = null;
        RequireLinger(uplink);
        if (uplink.IsHttpsConfigured)
        {
            RequireGatewayId(uplink);
            sender = sp =>
            {
                var outbox = sp.GetRequiredService<IOutboxReader>();
                return new HttpRecordSender(uplink, outbox.Epoch, outboxDepth: () => outbox.GetStats().Depth);
            };
        }
        else if (uplink.IsEventHubsConfigured)
        {
            RequireGatewayId(uplink);
            sender = sp => new EventHubsRecordSender(uplink.EventHubName.Length > 0
                ? new EventHubProducerClient(uplink.EventHubsConnectionString, uplink.EventHubName)
                : new EventHubProducerClient(uplink.EventHubsConnectionString), uplink.GatewayId, sp.GetRequiredService<IOutboxReader>().Epoch);
        }
        if (sender is not null)
        {
            services.AddSingleton(sender);
            services.AddSingleton<UplinkService>();
            services.AddHostedService(sp => sp.GetRequiredService<UplinkService>());
            services.AddSingleton<IHealthComponent>(sp => sp.GetRequiredService<UplinkService>());
            // The host stops services in reverse order: the state forwarder first (it forwards what was accepted),
            // then the stop reporter (its record goes last), then the uplink (which delivers both).
            services.AddHostedService<PlannedStopReporter>();
            if (uplink.ForwardState) services.AddHostedService<StateRecordForwarder>();
        }
        else
        {
            services.AddSingleton<IHealthComponent>(new StaticHealth("uplink", new ComponentHealth("off",
                $"no uplink configured (Gateway:Uplink:Kind = {uplink.Kind}; set BaseUrl or EventHubsConnectionString); records wait in the outbox")));
        }

        // Downlink and rules run also without a cloud: the cached desired state and the rules keep working offline.
        services.AddSingleton(_ => new DownlinkStore(Path.Combine(options.ResolveDataDir(), "downlink.db")));
        services.AddSingleton<CommandDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<CommandDispatcher>());
        services.AddSingleton<DisplayComposer>();
        if (options.Rules.SirenDriver.Equals("none", StringComparison.OrdinalIgnoreCase)) services.AddSingleton<IRelayFactory, NoRelayFactory>();
        else services.AddSingleton<IRelayFactory, GpioRelayFactory>();
        services.AddSingleton<RuleEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<RuleEngine>());
        services.AddSingleton<IHealthComponent>(sp => sp.GetRequiredService<RuleEngine>());
        if (options.Downlink.Enabled)
        {
            services.AddSingleton<DownlinkService>();
            services.AddHostedService(sp => sp.GetRequiredService<DownlinkService>());
            if (uplink.BaseUrl.Length > 0) services.AddSingleton<IHealthComponent>(sp => sp.GetRequiredService<DownlinkService>());
        }
        return services;
    }

    static void RequireGatewayId(UplinkOptions uplink)
    {
        if (string.IsNullOrWhiteSpace(uplink.GatewayId))
        {
            throw new InvalidOperationException("Gateway:Uplink:GatewayId is required when an uplink is configured (docs/uplink.md §1)");
        }
    }

    /// <summary>A linger is a wait of every record that is not part of a full batch: bounded, so that a typo cannot make
    /// the uplink (and every command's ack) seconds late.</summary>
    static void RequireLinger(UplinkOptions uplink)
    {
        if (uplink.LingerMilliseconds is < 0 or > UplinkOptions.MaxLingerMilliseconds)
        {
            throw new InvalidOperationException(
                $"Gateway:Uplink:LingerMilliseconds is {uplink.LingerMilliseconds}: it must be between 0 (no linger) and {UplinkOptions.MaxLingerMilliseconds} ms");
        }
    }

    sealed class StaticHealth(string name, ComponentHealth health) : IHealthComponent
    {
        public string Name => name;

        public ComponentHealth Report() => health;
    }
}
