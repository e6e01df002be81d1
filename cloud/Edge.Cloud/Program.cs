using System;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Audit;
using Edge.Cloud.Commands;
using Edge.Cloud.Commissioning;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.FaultReports;
using Edge.Cloud.Gateways;
using Edge.Cloud.History;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Cloud.OpenData;
using Edge.Cloud.Requests;
using Edge.Cloud.Settings;
using Edge.Cloud.Storage;
using Edge.Cloud.Telemetry;
using Edge.Cloud.Transit;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud;

/// <summary>
/// The composition root: one <c>AddEdge…</c> and one <c>MapEdge…</c> per concept, nothing else. A new concept
/// adds one line to each list. Order matters only for hosted services: storage (migration) first.
/// </summary>
public static class Program
{
    public static Task Main(string[] args) => CreateApp(args).RunAsync();

    /// <summary>Builds the app; <paramref name="configure"/> lets tests and the demo adjust the builder
    /// (configuration, URLs) before the services are composed.</summary>
    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        builder.Services.AddProblemDetails();
        builder.Services.AddEdgeTelemetry(builder.Configuration);
        builder.Services.AddEdgeRequests(builder.Configuration);
        builder.Services.AddEdgeApiDocs();
        builder.Services.AddEdgeStorage(builder.Configuration);
        builder.Services.AddEdgeGateways(builder.Configuration);
        builder.Services.AddEdgeIngestion(builder.Configuration);
        builder.Services.AddEdgeAudit();
        builder.Services.AddEdgeUsers(builder.Configuration);
        builder.Services.AddEdgeDomain();
        builder.Services.AddEdgeInventory();
        builder.Services.AddEdgeLighting();
        builder.Services.AddEdgeDesiredState();
        builder.Services.AddEdgeCommands();
        builder.Services.AddEdgeAlarms(builder.Configuration);
        builder.Services.AddEdgeHistory();
        builder.Services.AddEdgeTransit(builder.Configuration);
        builder.Services.AddEdgeOpenData(builder.Configuration);
        builder.Services.AddEdgeCommissioning(builder.Configuration);
        builder.Services.AddEdgeFaultReports(builder.Configuration);
        builder.Services.AddEdgeSettings(builder.Configuration);

        var app = builder.Build();
        app.UseEdgeRequests();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapEdgeApiDocs();
        app.MapEdgeTelemetry();
        app.MapEdgeIngestion();
        app.MapEdgeUsers();
        app.MapEdgeAudit();
        app.MapEdgeGateways();
        app.MapEdgeInventory();
        app.MapEdgeLighting();
        app.MapEdgeDesiredState();
        app.MapEdgeCommands();
        app.MapEdgeAlarms();
        app.MapEdgeHistory();
        app.MapEdgeTransit();
        app.MapEdgeOpenData();
        app.MapEdgeCommissioning();
        app.MapEdgeFaultReports();
        app.MapEdgeSettings();
        return app;
    }
}
