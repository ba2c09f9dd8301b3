using System.Net;
using System.Text;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Every kind of bad input gets a precise 4xx problem: never a 500, a stack trace, a hang or a partial
/// write.</summary>
public abstract class BadInputTests(ServerFixture server)
{
    private static readonly string Huge = new('x', 100_000);

    public static TheoryData<string, string, string, string?, int, string> Cases()
    {
        var data = new TheoryData<string, string, string, string?, int, string>();
        // Each write endpoint gets the same table.
        foreach (
            var (method, path) in new[]
            {
                ("POST", "/api/v1/worlds"),
                ("PUT", "/api/v1/worlds/{world}"),
                ("PATCH", "/api/v1/worlds/{world}"),
                ("POST", "/api/v1/worlds/{world}/characters"),
                ("PUT", "/api/v1/worlds/{world}/characters/{character}"),
                ("POST", "/api/v1/worlds/{world}/locations"),
                ("POST", "/api/v1/personas"),
            }
        )
        {
            data.Add(method, path, "application/json", """{"name": "x",""", 400, "malformed_json");
            data.Add(method, path, "application/json", """{"name": 5}""", 400, "validation_failed");
            data.Add(
                method,
                path,
                "application/json",
                """{"name": "x", "tags": "not-a-list"}""",
                400,
                "validation_failed"
            );
            data.Add(method, path, "application/json", $$"""{"name": "{{Huge}}"}""", 400, "validation_failed");
            data.Add(
                method,
                path,
                "application/json",
                $$"""{"name": "x", "description": "{{Huge}}"}""",
                400,
                "validation_failed"
            );
            data.Add(method, path, "application/json", "[1, 2]", 400, "validation_failed");
            data.Add(method, path, "text/plain", "name=x", 415, "unsupported_media_type");
            data.Add(
                method,
                path,
                "application/json",
                $$"""{"name": "x", "description": "{{new string('y', 1_100_000)}}"}""",
                413,
                "payload_too_large"
            );
            data.Add(
                method,
                path,
                "application/json",
                "",
                400,
                method == "PATCH" ? "validation_failed" : "bad_request"
            );
            if (method != "PATCH")
            {
                data.Add(method, path, "application/json", "{}", 400, "validation_failed");
                data.Add(method, path, "application/json", """{"name": "   "}""", 400, "validation_failed");
            }
        }
        data.Add(
            "POST",
            "/api/v1/worlds/{world}/characters",
            "application/json",
            """{"name":"x","extensions":"""
                + string.Concat(Enumerable.Repeat("{\"a\":", 100))
                + "1"
                + new string('}', 101),
            400,
            "malformed_json"
        );
        data.Add(
            "POST",
            "/api/v1/worlds/{world}/characters",
            "application/json",
            """{"name":"x","alternateGreetings":[1]}""",
            400,
            "validation_failed"
        );
        data.Add(
            "POST",
            "/api/v1/worlds/{world}/locations",
            "application/json",
            """{"name":"x","connections":[{"locationId":""}]}""",
            400,
            "validation_failed"
        );
        data.Add("GET", "/api/v1/worlds?limit=0", "", null, 400, "validation_failed");
        data.Add("GET", "/api/v1/worlds?limit=201", "", null, 400, "validation_failed");
        data.Add("GET", "/api/v1/worlds?limit=abc", "", null, 400, "bad_request");
        data.Add("GET", "/api/v1/worlds?cursor=not-a-cursor", "", null, 400, "validation_failed");
        data.Add("GET", "/api/v1/worlds?q=" + new string('q', 300), "", null, 400, "validation_failed");
        data.Add("GET", "/api/v1/worlds/00000000-0000-0000-0000-000000000000", "", null, 404, "not_found");
        data.Add("GET", "/api/v1/worlds/" + new string('z', 500), "", null, 404, "not_found");
        data.Add("GET", "/api/v1/worlds/{world}/characters/unknown", "", null, 404, "not_found");
        data.Add("PUT", "/api/v1/worlds/unknown", "application/json", """{"name":"x"}""", 404, "not_found");
        data.Add("DELETE", "/api/v1/worlds/unknown", "", null, 404, "not_found");
        data.Add("POST", "/api/v1/worlds/unknown/locations", "application/json", """{"name":"x"}""", 404, "not_found");
        data.Add("GET", "/api/v1/no-such-thing", "", null, 404, "not_found");
        data.Add("GET", "/api/v1/jobs?limit=0", "", null, 400, "validation_failed");
        data.Add("GET", "/api/v1/jobs?state=sleeping", "", null, 400, "validation_failed");
        data.Add("GET", "/api/v1/jobs?cursor=not-a-cursor", "", null, 400, "validation_failed");
        data.Add("GET", "/api/v1/jobs/unknown", "", null, 404, "not_found");
        data.Add("GET", "/api/v1/adventures/unknown/state", "", null, 404, "not_found");
        data.Add("GET", "/api/v1/adventures/unknown/state?atTurn=x", "", null, 400, "bad_request");
        data.Add(
            "PATCH",
            "/api/v1/adventures/unknown/state",
            "application/merge-patch+json",
            """{"timeOfDay":"dusk"}""",
            404,
            "not_found"
        );
        data.Add("DELETE", "/api/v1/worlds", "", null, 405, "method_not_allowed");
        data.Add(
            "POST",
            "/api/v1/auth/register",
            "application/json",
            """{"username":5,"password":"x"}""",
            400,
            "validation_failed"
        );
        data.Add("POST", "/api/v1/auth/login", "application/json", "nope", 400, "malformed_json");
        // Erasing the account: anything short of the right password erases nothing (the world is still there after).
        data.Add("DELETE", "/api/v1/me", "application/json", """{"password":""", 400, "malformed_json");
        data.Add("DELETE", "/api/v1/me", "application/json", """{"password":5}""", 400, "validation_failed");
        data.Add("DELETE", "/api/v1/me", "application/json", "{}", 400, "validation_failed");
        data.Add("DELETE", "/api/v1/me", "application/json", "", 400, "validation_failed");
        data.Add(
            "DELETE",
            "/api/v1/me",
            "application/json",
            """{"password":"not the password of this account"}""",
            400,
            "validation_failed"
        );
        data.Add("DELETE", "/api/v1/me", "text/plain", "password=x", 415, "unsupported_media_type");
        data.Add("GET", "/api/v1/me/usage?from=yesterday", "", null, 400, "validation_failed");
        data.Add(
            "POST",
            "/api/v1/auth/login",
            "application/json",
            """{"username":"x","password":"y","code":5}""",
            400,
            "validation_failed"
        );
        data.Add(
            "POST",
            "/api/v1/me/api-keys",
            "application/json",
            """{"name":"x","scopes":"read"}""",
            400,
            "validation_failed"
        );
        data.Add(
            "POST",
            "/api/v1/me/api-keys",
            "application/json",
            """{"name":"x","scopes":["read"],"expiresAt":"soon"}""",
            400,
            "validation_failed"
        );
        data.Add(
            "POST",
            "/api/v1/me/api-keys",
            "application/json",
            $$"""{"name":"{{Huge}}","scopes":["read"]}""",
            400,
            "validation_failed"
        );
        data.Add("POST", "/api/v1/me/api-keys", "application/json", "{", 400, "malformed_json");
        data.Add("DELETE", "/api/v1/me/api-keys/unknown", "", null, 404, "not_found");
        data.Add(
            "POST",
            "/api/v1/me/2fa/confirm",
            "application/json",
            """{"code":"123456"}""",
            409,
            "two_factor_not_pending"
        );
        data.Add(
            "DELETE",
            "/api/v1/me/2fa",
            "application/json",
            """{"password":"x","code":"123456"}""",
            409,
            "two_factor_not_enabled"
        );
        data.Add(
            "PUT",
            "/api/v1/me/email",
            "application/json",
            """{"email":"not an address","password":"a long enough password"}""",
            400,
            "validation_failed"
        );
        data.Add(
            "POST",
            "/api/v1/auth/password-reset",
            "application/json",
            $$"""{"username":"{{Huge}}"}""",
            400,
            "validation_failed"
        );
        data.Add(
            "POST",
            "/api/v1/auth/password-reset/confirm",
            "application/json",
            """{"token":"pr_nope","newPassword":"a long enough password"}""",
            401,
            "invalid_reset_token"
        );
        data.Add("POST", "/api/v1/auth/password-reset/confirm", "application/json", "[]", 400, "validation_failed");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task bad_input_gets_a_precise_problem_and_changes_nothing(
        string method,
        string path,
        string contentType,
        string? body,
        int status,
        string code
    )
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Before" })).Id();
        var character = (
            await client.PostJsonAsync($"/api/v1/worlds/{world}/characters", new { name = "Before" })
        ).Id();
        using var request = new HttpRequestMessage(
            new HttpMethod(method),
            path.Replace("{world}", world, StringComparison.Ordinal)
                .Replace("{character}", character, StringComparison.Ordinal)
        );
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new(contentType);
            // Kestrel answers 413 from Content-Length alone and closes; waiting for 100-continue keeps the client
            // from racing that close while it is still uploading (otherwise it may see a broken pipe, not the 413).
            request.Headers.ExpectContinue = body.Length > 1_000_000;
        }

        var response = await client.SendAsync(request);
        await response.AssertProblemAsync((HttpStatusCode)status, code);

        // Nothing was written: the world, its character and the lists are as they were.
        Assert.Equal("Before", (await (await client.GetAsync($"/api/v1/worlds/{world}")).JsonAsync()).Str("name"));
        Assert.Equal(
            "Before",
            (await (await client.GetAsync($"/api/v1/worlds/{world}/characters/{character}")).JsonAsync()).Str("name")
        );
        Assert.Equal(
            1,
            (await (await client.GetAsync("/api/v1/worlds")).JsonAsync()).GetProperty("items").GetArrayLength()
        );
        Assert.Equal(
            0,
            (await (await client.GetAsync("/api/v1/personas")).JsonAsync()).GetProperty("items").GetArrayLength()
        );
        Assert.Equal(
            0,
            (await (await client.GetAsync($"/api/v1/worlds/{world}/locations")).JsonAsync())
                .GetProperty("items")
                .GetArrayLength()
        );
    }

    [Fact]
    public async Task validation_problem_names_each_bad_field()
    {
        using var client = await server.CreateUserClientAsync();
        var body = new StringContent(
            $$"""{"name":"","genre":"{{new string('g', 300)}}","tags":["ok",""]}""",
            Encoding.UTF8,
            "application/json"
        );
        var problem = await (await client.PostAsync("/api/v1/worlds", body)).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("genre", out _));
        Assert.True(errors.TryGetProperty("tags[1]", out _));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class BadInputTests_Sqlite(SqliteServerFixture server) : BadInputTests(server);

[Collection(PostgresCollection.Name)]
public sealed class BadInputTests_Postgres(PostgresServerFixture server) : BadInputTests(server);
