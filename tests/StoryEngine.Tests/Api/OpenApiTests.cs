using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

[Collection(SqliteCollection.Name)]
public sealed class OpenApiTests(SqliteServerFixture server)
{
    [Fact]
    public async Task every_mapped_route_is_described_in_the_openapi_document()
    {
        using var client = server.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var described = document
            .GetProperty("paths")
            .EnumerateObject()
            .SelectMany(p =>
                p.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} " + $"/{p.Name.Trim('/')}")
            )
            .ToHashSet();

        var mapped = server
            .Services.GetRequiredService<EndpointDataSource>()
            .Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText != "/openapi/{documentName}.json") // the document itself
            .Where(e => !IsWebApp(e)) // the web app's pages and its narration stream are not the API (docs/adr/0021)
            .SelectMany(e =>
                (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m =>
                    $"{m} /{e.RoutePattern.RawText!.Trim('/')}"
                )
            )
            .ToArray();

        Assert.NotEmpty(mapped);
        var missing = mapped.Where(m => !described.Contains(m)).ToArray();
        Assert.True(missing.Length == 0, "Not in /openapi/v1.json: " + string.Join(", ", missing));
        // And the other way round: the web app's routes stay out of the API's document.
        var web = server
            .Services.GetRequiredService<EndpointDataSource>()
            .Endpoints.OfType<RouteEndpoint>()
            .Where(IsWebApp)
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .ToArray();
        Assert.Contains("/play/{id}/stream", web);
        Assert.Contains("/library", web);
        Assert.DoesNotContain(described, d => web.Any(w => d.EndsWith(" " + w, StringComparison.Ordinal)));
    }

    private static bool IsWebApp(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor>() is not null
        || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>()
            is { ExcludeFromDescription: true };

    [Fact]
    public async Task every_operation_names_its_error_statuses_and_the_document_declares_bearer_auth()
    {
        using var client = server.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        Assert.Equal(
            "bearer",
            document
                .GetProperty("components")
                .GetProperty("securitySchemes")
                .GetProperty("Bearer")
                .GetProperty("scheme")
                .GetString()
        );
        var worldPut = document
            .GetProperty("paths")
            .GetProperty("/api/v1/worlds/{id}")
            .GetProperty("put")
            .GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "404", "412", "413", "415" })
        {
            Assert.True(
                worldPut.TryGetProperty(status, out _),
                $"PUT /api/v1/worlds/{{id}} does not document " + $"{status}"
            );
        }
    }

    [Fact]
    public async Task api_explorer_ui_is_served_at_docs()
    {
        using var client = server.CreateClient();
        var page = await client.GetStringAsync("/docs/index.html");
        Assert.Contains("swagger", page, StringComparison.OrdinalIgnoreCase);
    }
}
