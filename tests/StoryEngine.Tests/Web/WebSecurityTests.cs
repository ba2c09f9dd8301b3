using System.Net;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Core.Resources;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Core.Worlds;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>
/// The web sign-in's boundaries, over plain HTTP: forms without an antiforgery token are refused and change nothing;
/// the page cookie does not sign in API calls and a bearer token does not open pages; failures read as sentences.
/// </summary>
public abstract class WebSecurityTests(ServerFixture server)
{
    [Fact]
    public async Task a_form_posted_without_its_antiforgery_token_is_refused_and_changes_nothing()
    {
        var (client, username) = await SignUpAsync();
        var before = await WorldCountAsync(username);

        var forged = await client.PostAsync(
            "/library?handler=CreateWorld",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Forged" })
        );

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains(
            "Reload the page and send the form " + "again",
            await forged.Content.ReadAsStringAsync(),
            StringComparison.Ordinal
        );
        Assert.Equal(before, await WorldCountAsync(username));

        // The same form with its token goes through, so the refusal above was about the token only.
        var token = await TokenAsync(client, "/library");
        var real = await client.PostAsync(
            "/library?handler=CreateWorld",
            new FormUrlEncodedContent(
                new Dictionary<string, string> { ["name"] = "Real", ["__RequestVerificationToken"] = token }
            )
        );
        Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
        Assert.Equal(before + 1, await WorldCountAsync(username));
    }

    [Fact]
    public async Task the_api_key_and_two_factor_forms_without_their_antiforgery_token_are_refused_and_change_nothing()
    {
        var (client, username) = await SignUpAsync();
        var user = await server
            .Services.GetRequiredService<IUserStore>()
            .FindByUsernameAsync(username, CancellationToken.None);

        var key = await client.PostAsync(
            "/account/api-keys?handler=Create",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "forged", ["scopes"] = "read" })
        );
        var twoFactor = await client.PostAsync(
            "/account/two-factor?handler=Begin",
            new FormUrlEncodedContent(new Dictionary<string, string>())
        );

        Assert.Equal(HttpStatusCode.BadRequest, key.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, twoFactor.StatusCode);
        Assert.DoesNotContain("se_", await key.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(
            await server.Services.GetRequiredService<ApiKeyService>().ListAsync(user!.Id, CancellationToken.None)
        );
        Assert.False(
            (
                await server
                    .Services.GetRequiredService<TwoFactorService>()
                    .StatusAsync(user.Id, CancellationToken.None)
            ).Pending
        );

        // With the page's token the same post makes the key, so the refusal was about the token only.
        var token = await TokenAsync(client, "/account/api-keys");
        var real = await client.PostAsync(
            "/account/api-keys?handler=Create",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["name"] = "real",
                    ["scopes"] = "read",
                    ["__RequestVerificationToken"] = token,
                }
            )
        );
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        Assert.True(real.Headers.CacheControl?.NoStore, "The answer that shows a new key must not be cached.");
        Assert.Single(
            await server.Services.GetRequiredService<ApiKeyService>().ListAsync(user.Id, CancellationToken.None)
        );
    }

    [Fact]
    public async Task signing_up_without_the_antiforgery_token_creates_no_account()
    {
        using var client = NewClient();
        var username = TestAccounts.NewName("web");
        var response = await client.PostAsync(
            "/signup",
            new FormUrlEncodedContent(
                new Dictionary<string, string> { ["username"] = username, ["password"] = TestAccounts.Password }
            )
        );
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(
            await server.Services.GetRequiredService<IUserStore>().FindByUsernameAsync(username, CancellationToken.None)
        );
    }

    [Fact]
    public async Task the_page_cookie_does_not_sign_in_the_api_and_a_bearer_token_does_not_open_pages()
    {
        var (client, _) = await SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/library")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (
                await client.PostAsync(
                    "/api/v1/worlds",
                    new StringContent("{\"name\":\"x\"}", System.Text.Encoding.UTF8, "application/json")
                )
            ).StatusCode
        );

        using var account = await server.CreateAccountAsync();
        var library = await account.Client.GetAsync("/library"); // this client follows redirects
        Assert.Equal("/signin", library.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task signing_out_ends_the_session_so_a_copied_cookie_stops_working()
    {
        var (client, _) = await SignUpAsync();
        var cookies = client.Cookies.GetCookieHeader(server.BaseAddress);
        var token = await TokenAsync(client, "/library");
        var signOut = await client.PostAsync(
            "/signout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token })
        );
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        using var copy = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = server.BaseAddress,
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/library");
        request.Headers.Add("Cookie", cookies);
        var response = await copy.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task a_missing_world_is_a_404_page_that_says_what_happened_and_what_to_do()
    {
        var (client, _) = await SignUpAsync();
        var response = await client.GetAsync($"/worlds/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("No world with id", html, StringComparison.Ordinal);
        Assert.Contains("pick it from the list", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_refused_form_keeps_the_page_and_names_each_problem()
    {
        var (client, _) = await SignUpAsync();
        var token = await TokenAsync(client, "/library");
        var response = await client.PostAsync(
            "/library?handler=CreateWorld",
            new FormUrlEncodedContent(
                new Dictionary<string, string> { ["name"] = "", ["__RequestVerificationToken"] = token }
            )
        );
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("role=\"alert\"", html, StringComparison.Ordinal);
        Assert.Contains("name is required", html, StringComparison.Ordinal);
        Assert.Contains("Correct the fields", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task pages_carry_a_content_security_policy_without_inline_script()
    {
        using var client = NewClient();
        var response = await client.GetAsync("/signin");
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A client with its own cookies that signs up through the form, as a browser would.</summary>
    private async Task<(CookieClient Client, string Username)> SignUpAsync()
    {
        var client = NewClient();
        var username = TestAccounts.NewName("web");
        var token = await TokenAsync(client, "/signup");
        var response = await client.PostAsync(
            "/signup",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["username"] = username,
                    ["password"] = TestAccounts.Password,
                    ["__RequestVerificationToken"] = token,
                }
            )
        );
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return (client, username);
    }

    private CookieClient NewClient() => new(server.BaseAddress);

    private static Task<string> TokenAsync(CookieClient client, string page) => client.AntiforgeryTokenAsync(page);

    private async Task<int> WorldCountAsync(string username)
    {
        var user = await server
            .Services.GetRequiredService<IUserStore>()
            .FindByUsernameAsync(username, CancellationToken.None);
        var page = await server
            .Services.GetRequiredService<ResourceService<World>>()
            .ListAsync(new(user!.Id, null), ListQuery.From(200, null, null, null), CancellationToken.None);
        return page.Items.Count;
    }
}

[Collection(SqliteCollection.Name)]
public sealed class WebSecurityTests_Sqlite(SqliteServerFixture server) : WebSecurityTests(server);

[Collection(PostgresCollection.Name)]
public sealed class WebSecurityTests_Postgres(PostgresServerFixture server) : WebSecurityTests(server);
