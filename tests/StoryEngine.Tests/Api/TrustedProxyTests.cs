using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// X-Forwarded-For is believed only from proxies the operator names: otherwise anyone could choose the address that
/// lockouts, sign-in rate limits and the audit log see.
/// </summary>
public sealed class TrustedProxyTests
{
    [Fact]
    public async Task forwarded_headers_are_ignored_unless_the_proxy_is_trusted()
    {
        await WithServerAsync(new(), async server =>
            Assert.Equal("127.0.0.1", await AuditedAddressOfFailedSignInAsync(server, forwardedFor: "203.0.113.7"))
        );
    }

    [Fact]
    public async Task a_trusted_proxy_passes_on_the_client_address_and_scheme()
    {
        await WithServerAsync(new() { ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" }, async server =>
        {
            Assert.Equal("203.0.113.7", await AuditedAddressOfFailedSignInAsync(server, forwardedFor: "203.0.113.7"));

            // The proxy terminated TLS: the response is an HTTPS one, so it carries HSTS.
            using var client = server.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
            request.Headers.Add("X-Forwarded-Proto", "https");
            var response = await client.SendAsync(request);
            Assert.Contains(
                "max-age=",
                response.Headers.GetValues("Strict-Transport-Security").Single(),
                StringComparison.Ordinal
            );
            Assert.False((await client.GetAsync("/health/live")).Headers.Contains("Strict-Transport-Security"));
        });
    }

    [Fact]
    public async Task a_trusted_network_counts_as_well()
    {
        await WithServerAsync(new() { ["ForwardedHeaders:KnownNetworks:0"] = "127.0.0.0/8" }, async server =>
            Assert.Equal(
                "198.51.100.20",
                await AuditedAddressOfFailedSignInAsync(server, forwardedFor: "198.51.100.20")
            )
        );
    }

    private static async Task<string> AuditedAddressOfFailedSignInAsync(ServerFixture server, string forwardedFor)
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var user = await server.CreateAccountAsync();
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { username = user.Username, password = "not the right password" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode);
        var audit = await (
            await admin.Client.GetAsync($"/api/v1/admin/audit?userId={user.Id}&action=auth.login.failed")
        ).JsonAsync();
        return audit.GetProperty("items").EnumerateArray().Single().Str("ip");
    }

    private static async Task WithServerAsync(Dictionary<string, string?> settings, Func<ServerFixture, Task> test)
    {
        var fixture = new SqliteServerFixture();
        foreach (var (key, value) in settings)
        {
            fixture.ExtraSettings[key] = value;
        }
        await fixture.InitializeAsync();
        try
        {
            await test(fixture);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }
}
