using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace StoryEngine.Tests.Infrastructure;

public static class HttpAssertions
{
    /// <summary>Asserts an RFC 9457 problem with the given status and code, and returns its JSON.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("traceId").GetString()));
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // never a stack trace
        return json;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public static async Task<JsonElement> PostJsonAsync(this HttpClient client, string url, object body, HttpStatusCode expected = HttpStatusCode.Created) =>
        await (await client.PostAsJsonAsync(url, body)).JsonAsync(expected);

    public static string Id(this JsonElement json) => json.GetProperty("id").GetString()!;

    public static string Str(this JsonElement json, string property) => json.GetProperty(property).GetString()!;
}
