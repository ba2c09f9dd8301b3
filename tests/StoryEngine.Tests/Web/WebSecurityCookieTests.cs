using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>
/// The antiforgery cookie is Secure whenever the request is HTTPS, also when a trusted proxy terminated TLS and said
/// so in X-Forwarded-Proto (issue 15, fault 7); over plain HTTP it stays usable.
/// </summary>
public sealed class WebSecurityCookieTests
{
    [Fact]
    public async Task antiforgery_cookie_is_secure_behind_a_trusted_https_proxy_and_not_over_plain_http()
    {
        var server = new SqliteServerFixture();
        server.ExtraSettings["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        await server.InitializeAsync();
        try
        {
            using var client = server.CreateClient();
            using var other = server.CreateClient();
            using var https = new HttpRequestMessage(HttpMethod.Get, "/signin");
            https.Headers.Add("X-Forwarded-Proto", "https");
            var secure = AntiforgeryCookie(await client.SendAsync(https));
            Assert.Contains("secure", secure, StringComparison.OrdinalIgnoreCase);

            var plain = AntiforgeryCookie(await other.GetAsync("/signin"));
            Assert.DoesNotContain("secure", plain, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static string AntiforgeryCookie(HttpResponseMessage response)
    {
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToArray() : [];
        return cookies.SingleOrDefault(c => c.StartsWith("storyengine.antiforgery", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException(
                $"{(int)response.StatusCode}: no antiforgery cookie in " + string.Join(" | ", cookies)
            );
    }
}
