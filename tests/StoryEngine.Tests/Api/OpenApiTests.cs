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
        var described = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} /{p.Name.Trim('/')}"))
            .ToHashSet();

        var mapped = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText != "/openapi/{documentName}.json") // the document itself
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .ToArray();

        Assert.NotEmpty(mapped);
        var missing = mapped.Where(m => !described.Contains(m)).ToArray();
        Assert.True(missing.Length == 0, "Not in /openapi/v1.json: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task every_operation_names_its_error_statuses_and_the_document_declares_bearer_auth()
    {
        using var client = server.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
        var worldPut = document.GetProperty("paths").GetProperty("/api/v1/worlds/{id}").GetProperty("put").GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "404", "412", "413", "415" })
        {
            Assert.True(worldPut.TryGetProperty(status, out _), $"PUT /api/v1/worlds/{{id}} does not document {status}");
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
