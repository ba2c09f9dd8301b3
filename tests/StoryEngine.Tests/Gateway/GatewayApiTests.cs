using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Gateway;

/// <summary>Issue 21's backpressure through the API: a narrator backend at its limit with a full queue turns a new
/// turn away with 503 and Retry-After before anything is written; the admin view shows the gate.</summary>
public sealed class GatewayApiTests : IAsyncLifetime
{
    private readonly SqliteServerFixture _server = new();

    public Task InitializeAsync()
    {
        _server.ExtraSettings["Backends:scripted:MaxConcurrency"] = "1";
        _server.ExtraSettings["Backends:scripted:MaxQueue"] = "0";
        return _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task a_turn_that_finds_every_narrator_backend_full_gets_503_with_retry_after_and_writes_nothing()
    {
        using var player = await _server.CreateAccountAsync();
        var first = await AdventureTestData.CreateAsync(player.Client);
        var second = await AdventureTestData.CreateAsync(player.Client);
        var narrating = Sse.ReadAllAsync(
            player.Client,
            AdventureTestData.Turn(first.AdventureId, "hold the slot {{tokens:200}}{{delay:20}}")
        );
        using var admin = await _server.CreateAccountAsync(admin: true);
        await Poll.UntilAsync(
            async () => (await GatewayOfAsync(admin.Client)).GetProperty("running").GetInt32() == 1,
            "the narration never took the backend's slot"
        );

        var refused = await player.Client.PostAsJsonAsync(
            $"/api/v1/adventures/{second.AdventureId}/turns",
            new { kind = "do", text = "wait your turn" }
        );

        await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "backends_busy");
        Assert.NotNull(refused.Headers.RetryAfter);
        var turns = await (await player.Client.GetAsync($"/api/v1/adventures/{second.AdventureId}/turns")).JsonAsync();
        Assert.All(turns.GetProperty("items").EnumerateArray(), t => Assert.Equal("opening", t.Str("kind")));
        var gateway = await GatewayOfAsync(admin.Client);
        Assert.Equal(1, gateway.GetProperty("maxConcurrency").GetInt32());
        Assert.Equal(0, gateway.GetProperty("maxQueue").GetInt32());
        Assert.Equal(0, gateway.GetProperty("interactiveReserve").GetInt32()); // one slot: background work keeps it

        // The report is saved once the first token is on its way: stopping before it would leave no report.
        var latest = await LatestTurnAsync(player.Client, first.AdventureId);
        var contextUrl = $"/api/v1/adventures/{first.AdventureId}/turns/{latest}/context";
        await Poll.UntilAsync(
            async () => (await player.Client.GetAsync(contextUrl)).StatusCode == HttpStatusCode.OK,
            "the narration's first token never came"
        );
        await player.Client.PostAsync($"/api/v1/adventures/{first.AdventureId}/stop", null);
        await narrating;
        var context = await (await player.Client.GetAsync(contextUrl)).JsonAsync();
        Assert.Equal(0, context.GetProperty("queueMilliseconds").GetDouble()); // a slot was free when it started
    }

    private static async Task<System.Text.Json.JsonElement> GatewayOfAsync(HttpClient admin)
    {
        var backends = await (await admin.GetAsync("/api/v1/admin/backends")).JsonAsync();
        return backends.EnumerateArray().Single(b => b.Str("name") == "scripted").GetProperty("gateway");
    }

    private static async Task<string> LatestTurnAsync(HttpClient client, string adventureId) =>
        (await (await client.GetAsync($"/api/v1/adventures/{adventureId}/turns?limit=1")).JsonAsync())
            .GetProperty("items")[0]
            .Str("id");
}
