using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace StoryEngine.Tests.Infrastructure;

public static class HttpAssertions
{
    /// <summary>Asserts an RFC 9457 problem with the given status and code, and returns its JSON.</summary>
    public static async Task<JsonElement> AssertProblemAsync(
        this HttpResponseMessage response,
        HttpStatusCode status,
        string code
    )
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(
            response.StatusCode == status,
            $"Expected {(int)status} but got {(int)response.StatusCode}: " + $"{body}"
        );
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("traceId").GetString()));
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // never a stack trace
        return json;
    }

    /// <summary>What a player or an anonymous caller must never be shown (issue #15, fault 6): an address, a
    /// configuration key, a file path, the operator's advice.</summary>
    public static void AssertDisclosesNothing(string shown)
    {
        string[] secrets =
        [
            "http://",
            "https://",
            "127.0.0.1",
            "localhost",
            "Backends:",
            "Narrator:",
            "README",
            "src/",
            ".db",
            "/tmp/",
            "storyengine-tests",
            "scripted-1",
            "HTTP 500",
        ];
        foreach (var secret in secrets)
        {
            Assert.False(shown.Contains(secret, StringComparison.OrdinalIgnoreCase), $"'{secret}' was shown: {shown}");
        }
    }

    /// <summary>The same for every string in a JSON answer, except a problem's "type", which is the RFC's own
    /// link.</summary>
    public static void AssertDisclosesNothing(JsonElement json)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in json.EnumerateObject().Where(p => p.Name != "type"))
                {
                    AssertDisclosesNothing(property.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in json.EnumerateArray())
                {
                    AssertDisclosesNothing(item);
                }
                break;
            case JsonValueKind.String:
                AssertDisclosesNothing(json.GetString()!);
                break;
        }
    }

    public static async Task<JsonElement> JsonAsync(
        this HttpResponseMessage response,
        HttpStatusCode expected = HttpStatusCode.OK
    )
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(
            response.StatusCode == expected,
            $"Expected {(int)expected} but got {(int)response.StatusCode}: " + $"{body}"
        );
        return JsonDocument.Parse(body).RootElement;
    }

    public static async Task<JsonElement> PostJsonAsync(
        this HttpClient client,
        string url,
        object body,
        HttpStatusCode expected = HttpStatusCode.Created
    ) => await (await client.PostAsJsonAsync(url, body)).JsonAsync(expected);

    public static string Id(this JsonElement json) => json.GetProperty("id").GetString()!;

    public static string Str(this JsonElement json, string property) => json.GetProperty(property).GetString()!;
}
