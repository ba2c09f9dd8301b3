using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Usage;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Usage;

/// <summary>The usage ledger, quotas and the usage reports, on the shared servers (no quotas or prices
/// configured).</summary>
public abstract class UsageApiTests(ServerFixture server)
{
    [Fact]
    public async Task a_turn_writes_a_ledger_row_for_the_narration_and_one_for_its_state_extraction()
    {
        using var user = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(user.Client);
        var turn = await AdventureTestData.TakeTurnAsync(
            user.Client,
            setup.AdventureId,
            "I count the coins {{tokens:5}}"
        );
        var reported = turn.GetProperty("alternatives")[0].GetProperty("usage");
        await BackgroundJobs.SettleAsync(user.Client, setup.AdventureId);

        var usage = await (await user.Client.GetAsync("/api/v1/me/usage")).JsonAsync();
        Assert.Equal(TierCatalog.Standard, usage.Str("tier"));
        var narration = BackgroundJobs.UsageFor(usage, UsagePurposes.Narration)!.Value;
        Assert.Equal(1, narration.GetProperty("calls").GetInt64());
        Assert.Equal(0, narration.GetProperty("estimatedCalls").GetInt64());
        Assert.Equal(reported.GetProperty("inputTokens").GetInt64(), narration.GetProperty("promptTokens").GetInt64());
        Assert.Equal(5, narration.GetProperty("completionTokens").GetInt64());
        // The state extraction that followed is the user's too (the scripted backend reports 10 prompt tokens for it).
        var state = BackgroundJobs.UsageFor(usage, UsagePurposes.State)!.Value;
        Assert.Equal(1, state.GetProperty("calls").GetInt64());
        Assert.Equal(10, state.GetProperty("promptTokens").GetInt64());
        Assert.Equal(0, state.GetProperty("estimatedCalls").GetInt64());
        var totals = usage.GetProperty("totals");
        Assert.Equal(2, totals.GetProperty("calls").GetInt64());
        Assert.Equal(
            narration.GetProperty("totalTokens").GetInt64() + state.GetProperty("totalTokens").GetInt64(),
            totals.GetProperty("totalTokens").GetInt64()
        );
        var day = Assert.Single(usage.GetProperty("byDay").EnumerateArray());
        Assert.Equal(
            server
                .Clock.GetUtcNow()
                .UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            day.Str("day")
        );
        var model = Assert.Single(usage.GetProperty("byModel").EnumerateArray());
        Assert.Equal("scripted", model.Str("backend"));
        Assert.Equal("scripted-1", model.Str("model"));
        Assert.Equal(
            totals.GetProperty("totalTokens").GetInt64(),
            usage.GetProperty("daily").GetProperty("used").GetInt64()
        );
        Assert.Equal(JsonValueKind.Null, usage.GetProperty("daily").GetProperty("limit").ValueKind);
    }

    [Fact]
    public async Task failed_and_cut_off_narrations_are_metered_too()
    {
        using var user = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(user.Client);
        // Cut after 3 tokens: the backend never sent its counts, so the spent tokens are estimated.
        var cut = await user.Client.PostAsJsonAsync(
            $"/api/v1/adventures/{setup.AdventureId}/turns",
            new { kind = "do", text = "I run {{tokens:8}} {{cut:3}}" }
        );
        Assert.Equal(HttpStatusCode.BadGateway, cut.StatusCode);

        var usage = await (await user.Client.GetAsync("/api/v1/me/usage")).JsonAsync();
        var totals = usage.GetProperty("totals");
        Assert.Equal(1, totals.GetProperty("calls").GetInt64()); // a failed narration leaves no background work behind
        Assert.Equal(1, totals.GetProperty("estimatedCalls").GetInt64());
        Assert.True(totals.GetProperty("promptTokens").GetInt64() > 0);
        Assert.True(totals.GetProperty("completionTokens").GetInt64() > 0);

        // A backend that answered 500 before writing anything spent nothing we can know of: a row, with no tokens.
        Assert.Equal(
            HttpStatusCode.BadGateway,
            (
                await user.Client.PostAsJsonAsync(
                    $"/api/v1/adventures/{setup.AdventureId}/turns",
                    new { kind = "do", text = "I fall {{fail}}" }
                )
            ).StatusCode
        );
        var after = await (await user.Client.GetAsync("/api/v1/me/usage")).JsonAsync();
        Assert.Equal(2, after.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(
            totals.GetProperty("totalTokens").GetInt64(),
            after.GetProperty("totals").GetProperty("totalTokens").GetInt64()
        );
    }

    [Fact]
    public async Task a_turn_over_the_daily_quota_is_refused_before_the_model_or_the_log_sees_it()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var user = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(user.Client);
        var first = await AdventureTestData.TakeTurnAsync(user.Client, setup.AdventureId, "one {{tokens:4}}");
        await BackgroundJobs.SettleAsync(user.Client, setup.AdventureId); // its state extraction is metered too
        var used = (await (await user.Client.GetAsync("/api/v1/me/usage")).JsonAsync())
            .GetProperty("daily")
            .GetProperty("used")
            .GetInt64();

        // Less than a reply's worth left today.
        (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/quota", new { dailyTokens = used + 10 })
        ).EnsureSuccessStatusCode();
        var eventsBefore = (
            await (await user.Client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/events?limit=200")).JsonAsync()
        )
            .GetProperty("items")
            .GetArrayLength();
        var marker = "quota-marker-" + Guid.NewGuid().ToString("N");
        var refused = await user.Client.PostAsJsonAsync(
            $"/api/v1/adventures/{setup.AdventureId}/turns",
            new { kind = "do", text = marker }
        );
        var problem = await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");
        Assert.Equal("daily", problem.Str("quota"));
        Assert.Equal(used, problem.GetProperty("used").GetInt64());
        Assert.Equal(used + 10, problem.GetProperty("limit").GetInt64());
        Assert.Contains("daily token quota", problem.Str("detail"), StringComparison.Ordinal);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(
            UsageDays.StartOfDay(server.Clock.GetUtcNow()).AddDays(1),
            problem.GetProperty("resetsAt").GetDateTimeOffset()
        );

        // Streaming clients get the same problem, and a retry is refused the same way.
        using var streamed = AdventureTestData.Turn(setup.AdventureId, marker);
        streamed.Headers.Accept.ParseAdd("text/event-stream");
        await (await user.Client.SendAsync(streamed)).AssertProblemAsync(
            HttpStatusCode.TooManyRequests,
            "quota_exceeded"
        );
        await (
            await user.Client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{first.Id()}/retry", null)
        ).AssertProblemAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");

        Assert.Empty((await ScriptedBackend.InstanceAsync()).RequestsContaining(marker));
        var eventsAfter = (
            await (await user.Client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/events?limit=200")).JsonAsync()
        )
            .GetProperty("items")
            .GetArrayLength();
        Assert.Equal(eventsBefore, eventsAfter);

        // The override cleared: the tier (no quota) applies again and the turn goes through.
        (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/quota", new { dailyTokens = (long?)null })
        ).EnsureSuccessStatusCode();
        Assert.Equal(
            "completed",
            (await AdventureTestData.TakeTurnAsync(user.Client, setup.AdventureId, marker)).Str("status")
        );
    }

    [Fact]
    public async Task the_monthly_quota_is_checked_too_and_a_quota_change_is_audited()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var user = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(user.Client);
        await AdventureTestData.TakeTurnAsync(user.Client, setup.AdventureId, "one");
        var set = await (
            await admin.Client.PutAsJsonAsync(
                $"/api/v1/admin/users/{user.Id}/quota",
                new { dailyTokens = 1_000_000, monthlyTokens = 1 }
            )
        ).JsonAsync();
        Assert.Equal(1, set.GetProperty("monthlyTokenQuota").GetInt64());

        var problem = await (
            await user.Client.PostAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/turns",
                new { kind = "do", text = "two" }
            )
        ).AssertProblemAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");
        Assert.Equal("monthly", problem.Str("quota"));

        var audit = await (
            await admin.Client.GetAsync($"/api/v1/admin/audit?userId={user.Id}&action=user.quota_changed")
        ).JsonAsync();
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal(admin.Id, entry.Str("actorId"));
        Assert.Equal("daily=tier->1000000 monthly=tier->1", entry.Str("detail"));
    }

    [Fact]
    public async Task bad_quota_tier_and_range_are_precise_400s()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        using var user = await server.CreateAccountAsync();
        (
            await (
                await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/quota", new { dailyTokens = -1 })
            ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed")
        )
            .GetProperty("errors")
            .GetProperty("dailyTokens");
        (
            await (
                await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/tier", new { tier = "platinum" })
            ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed")
        )
            .GetProperty("errors")
            .GetProperty("tier");
        await (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{Guid.NewGuid()}/tier", new { tier = "standard" })
        ).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        (
            await (await user.Client.GetAsync("/api/v1/me/usage?from=2026-13-01")).AssertProblemAsync(
                HttpStatusCode.BadRequest,
                "validation_failed"
            )
        )
            .GetProperty("errors")
            .GetProperty("from");
        (
            await (await user.Client.GetAsync("/api/v1/me/usage?from=2026-05-02&to=2026-05-01")).AssertProblemAsync(
                HttpStatusCode.BadRequest,
                "validation_failed"
            )
        )
            .GetProperty("errors")
            .GetProperty("to");
        (
            await (await admin.Client.GetAsync("/api/v1/admin/usage?from=2024-01-01&to=2026-01-01")).AssertProblemAsync(
                HttpStatusCode.BadRequest,
                "validation_failed"
            )
        )
            .GetProperty("errors")
            .GetProperty("to");
    }

    [Fact]
    public async Task admin_usage_lists_each_user_with_their_totals_paged()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        var ids = new List<string>();
        var own = new List<JsonElement>();
        for (var i = 0; i < 2; i++)
        {
            using var user = await server.CreateAccountAsync();
            var setup = await AdventureTestData.CreateAsync(user.Client);
            await AdventureTestData.TakeTurnAsync(user.Client, setup.AdventureId, $"turn {{{{tokens:{3 + i}}}}}");
            await BackgroundJobs.SettleAsync(user.Client, setup.AdventureId);
            ids.Add(user.Id);
            own.Add(await (await user.Client.GetAsync("/api/v1/me/usage")).JsonAsync());
        }
        var seen = new Dictionary<string, JsonElement>();
        string? cursor = null;
        do
        {
            var page = await (
                await admin.Client.GetAsync("/api/v1/admin/usage?limit=1" + (cursor is null ? "" : "&cursor=" + cursor))
            ).JsonAsync();
            Assert.True(page.GetProperty("items").GetArrayLength() <= 1);
            foreach (var line in page.GetProperty("items").EnumerateArray())
            {
                seen[line.Str("userId")] = line;
            }
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        for (var i = 0; i < 2; i++)
        {
            var line = seen[ids[i]];
            Assert.Equal(TierCatalog.Standard, line.Str("tier"));
            Assert.Equal(
                3 + i,
                BackgroundJobs
                    .UsageFor(own[i], UsagePurposes.Narration)!
                    .Value.GetProperty("completionTokens")
                    .GetInt64()
            );
            // The admin's line is the user's own total, background calls included.
            Assert.Equal(own[i].GetProperty("totals").GetRawText(), line.GetProperty("totals").GetRawText());
            Assert.StartsWith("u", line.Str("username"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task admin_backends_shows_each_backend_and_its_state_without_a_key()
    {
        using var admin = await server.CreateAccountAsync(admin: true);
        var backends = await (await admin.Client.GetAsync("/api/v1/admin/backends?probe=true")).JsonAsync();
        var scripted = Assert.Single(backends.EnumerateArray(), b => b.Str("name") == "scripted");
        Assert.Equal("openai", scripted.Str("kind"));
        Assert.Equal("scripted-1", scripted.Str("model"));
        Assert.Equal((await ScriptedBackend.InstanceAsync()).BaseUrl, scripted.Str("baseUrl"));
        Assert.Equal("up", scripted.Str("state"));
        Assert.False(scripted.GetProperty("apiKeyConfigured").GetBoolean());
        Assert.Contains("narrator", scripted.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class UsageApiTests_Sqlite(SqliteServerFixture server) : UsageApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class UsageApiTests_Postgres(PostgresServerFixture server) : UsageApiTests(server);
