using System.Net;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Reads without a version of their own carry an ETag made from their content (issue 17: "ETags on every GET that
/// returns a single representation"): the same answer twice has the same tag, If-None-Match with it is a 304 with no
/// body, and a change to what the read shows changes the tag.
/// </summary>
public abstract class ContentETagTests(ServerFixture server)
{
    public static TheoryData<string> Reads() =>
        [
            "/api/v1/me",
            "/api/v1/me/sessions",
            "/api/v1/me/usage",
            "/api/v1/me/2fa",
            "/api/v1/jobs",
            "/api/v1/me/api-keys",
        ];

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task a_read_without_a_version_answers_304_to_its_own_tag(string path)
    {
        using var account = await server.CreateAccountAsync();
        var first = await account.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal(etag, (await account.Client.GetAsync(path)).Headers.ETag);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(etag);
        var notModified = await account.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task a_change_to_what_a_read_shows_changes_its_tag()
    {
        using var account = await server.CreateAccountAsync();
        var before = (await account.Client.GetAsync("/api/v1/me/sessions")).Headers.ETag;
        using var phone = await server.SignInAsync(account.Username); // one more session in the list
        var after = (await account.Client.GetAsync("/api/v1/me/sessions")).Headers.ETag;
        Assert.NotEqual(before, after);

        var setup = await AdventureTestData.CreateAsync(account.Client);
        var path = $"/api/v1/adventures/{setup.AdventureId}/state";
        var state = await account.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        Assert.NotNull(state.Headers.ETag);
        var corrected = await account.Client.PatchAsync(
            path,
            new StringContent("""{"timeOfDay": "dusk"}""", System.Text.Encoding.UTF8, "application/merge-patch+json")
        );
        Assert.True(corrected.IsSuccessStatusCode, await corrected.Content.ReadAsStringAsync());
        Assert.NotEqual(state.Headers.ETag, (await account.Client.GetAsync(path)).Headers.ETag);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class ContentETagTests_Sqlite(SqliteServerFixture server) : ContentETagTests(server);

[Collection(PostgresCollection.Name)]
public sealed class ContentETagTests_Postgres(PostgresServerFixture server) : ContentETagTests(server);
