using System.Net;
using System.Text.RegularExpressions;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>An HttpClient that keeps cookies and does not follow redirects, so tests see where a page sends
/// them.</summary>
public sealed partial class CookieClient : HttpClient
{
    public CookieClient(Uri baseAddress)
        : this(new CookieContainer(), baseAddress) { }

    private CookieClient(CookieContainer cookies, Uri baseAddress)
        : base(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies }, disposeHandler: true)
    {
        Cookies = cookies;
        BaseAddress = baseAddress;
    }

    public CookieContainer Cookies { get; }

    /// <summary>A browser-free page session of an existing account, signed in through the form as a browser
    /// would.</summary>
    public static async Task<CookieClient> SignInAsync(
        ServerFixture server,
        string username,
        string password = TestAccounts.Password
    )
    {
        var client = new CookieClient(server.BaseAddress);
        var token = await client.AntiforgeryTokenAsync("/signin");
        var response = await client.PostAsync(
            "/signin",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["username"] = username,
                    ["password"] = password,
                    ["__RequestVerificationToken"] = token,
                }
            )
        );
        Assert.True(
            response.StatusCode == HttpStatusCode.Redirect,
            $"Signing in as {username} on the web: " + $"{response.StatusCode}"
        );
        return client;
    }

    /// <summary>The antiforgery token of a page's form, to post as that form would.</summary>
    public async Task<string> AntiforgeryTokenAsync(string page)
    {
        var html = await GetStringAsync(page);
        return TokenField().Match(html) is { Success: true } m
            ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new Xunit.Sdk.XunitException($"{page} has no antiforgery field.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
