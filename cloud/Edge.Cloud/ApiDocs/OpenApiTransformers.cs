using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Edge.Cloud.ApiDocs;

/// <summary>The document's own title, version and description, and the three ways to authenticate.</summary>
public sealed class DocumentTransformer : IOpenApiDocumentTransformer
{
    public const string Session = "session";
    public const string ApiToken = "apiToken";
    public const string GatewayToken = "gatewayToken";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Edge cloud API",
            Version = "v1",
            Description = "The Edge cloud: inventory, lighting schedules, commands, alarms, history, users and the gateways' uplink. "
                + "Users sign in with the session cookie (browser) or an API token (scripts); gateways with their own token. "
                + "Each operation's description names the role it needs; errors are RFC 9457 problem details whose "
                + "`errors` list names each bad field as `path: what is expected`. The interactive reference is at /api/docs.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Session] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = "edge.session",
            Description = "The browser session cookie that POST /api/v1/auth/login sets. Requests signed in with it send application/json bodies only.",
        };
        document.Components.SecuritySchemes[ApiToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A user's API token (POST /api/v1/auth/tokens) as `Authorization: Bearer <token>`; it acts with its user's role.",
        };
        document.Components.SecuritySchemes[GatewayToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A gateway's token (POST /api/v1/gateways) as `Authorization: Bearer <token>`; only for the gateway uplink endpoints of that gateway.",
        };
        return Task.CompletedTask;
    }
}

/// <summary>Per operation: the role it needs (description), its security requirement and its example body.</summary>
public sealed class OperationTransformer : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, string> RoleText = new()
    {
        [Policies.Viewer] = "Role: any signed-in user (viewer, installer, technician or admin).",
        [Policies.Technician] = "Role: technician or admin.",
        [Policies.Installer] = "Role: installer or admin.",
        [Policies.Inventory] = "Role: installer, technician or admin (a technician changes a registered node's zone, group and pole only: 403 for other fields or a new node).",
        [Policies.Admin] = "Role: admin.",
    };

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policy = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        string access;
        if (metadata.OfType<GatewayTokenMetadata>().Any())
        {
            access = "Authentication: the gateway's bearer token (docs/uplink.md); a gateway reaches only its own resources.";
            Require(operation, context, DocumentTransformer.GatewayToken);
        }
        else if (policy is not null && !metadata.OfType<IAllowAnonymous>().Any())
        {
            access = RoleText.TryGetValue(policy, out var text) ? text : $"Role: {policy}.";
            Require(operation, context, DocumentTransformer.Session);
            Require(operation, context, DocumentTransformer.ApiToken);
        }
        else
        {
            access = "No authentication.";
        }
        operation.Description = string.IsNullOrEmpty(operation.Description) ? access : access + "\n\n" + operation.Description;

        if (metadata.OfType<RequestBody>().LastOrDefault() is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken),
                        Example = JsonSerializer.SerializeToNode(body.Example, Api.Json),
                    },
                },
            };
        }
    }

    /// <summary>Adds one alternative: listing several requirements means any one of them is enough.</summary>
    private static void Require(OpenApiOperation operation, OpenApiOperationTransformerContext context, string scheme)
    {
        operation.Security ??= new List<OpenApiSecurityRequirement>();
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
    }
}
