using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using StoryEngine.Core.Memory;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;
using StoryEngine.Tests.Memory;

namespace StoryEngine.Tests.DataRights;

/// <summary>
/// Everything one account can leave in the database, and every value that identifies it: made through the API as a
/// user would (world data, lore, a card, adventures with enough turns that memory, summaries, state, lore activations
/// and jobs exist, usage, sessions, an API key, two-factor sign-in with recovery codes, a reset token and its mail).
/// The identifiers are read back from what the server says the account owns (its export, its sessions, its jobs), not
/// from the database, so the sweep does not share the eraser's idea of what belongs to whom.
/// </summary>
public sealed partial record AccountFootprint(
    OwnedData Owned,
    string TotpSecret,
    IReadOnlyList<(string What, string Value)> Identifiers
)
{
    /// <summary>Enough turns, with the memory server's small context, that the early ones are summarised.</summary>
    private const int FillerTurns = 14;

    public static async Task<AccountFootprint> CreateAsync(ServerFixture server, TestAccount user)
    {
        var client = user.Client;
        var owned = await OwnedData.CreateAsync(server, user);
        // A word of the user's own in every turn, so rows that copy story text (memory, prompts) are found by content
        // too.
        var marker = "mark" + Guid.NewGuid().ToString("N")[..12];
        await MemoryTestData.FillerTurnsAsync(client, owned.AdventureId, FillerTurns, tag: marker);
        await BackgroundJobs.SettleAsync(client, owned.AdventureId, SummaryJob.JobType);

        await client.PostJsonAsync("/api/v1/presets", new { name = "erasure preset", generation = new { seed = 7 } });
        var key = await client.PostJsonAsync(
            "/api/v1/me/api-keys",
            new { name = "erasure script", scopes = new[] { "read" } }
        );
        using (var script = server.ClientWith(key.Str("key")))
        {
            (await script.GetAsync("/api/v1/worlds")).EnsureSuccessStatusCode();
        }

        // A reset mail waits in the outbox (no SMTP here) beside its token.
        var email = $"{user.Username}@example.test";
        (
            await client.PutAsJsonAsync("/api/v1/me/email", new { email, password = user.Password })
        ).EnsureSuccessStatusCode();
        using (var anonymous = server.CreateClient())
        {
            (
                await anonymous.PostAsJsonAsync("/api/v1/auth/password-reset", new { username = user.Username })
            ).EnsureSuccessStatusCode();
        }

        // A bedtime story, written and voiced, and a narration read aloud (issue 25).
        var theme = "an erasure garden " + marker;
        (await ScriptedBackend.InstanceAsync()).ScriptStructured(
            "Theme: " + theme,
            $$"""{"storyTitle":"Garden","title":"Garden","text":"The garden slept. {{marker}} was there."}"""
        );
        var bedtime = (
            await client.PostJsonAsync(
                "/api/v1/bedtime-stories",
                new
                {
                    ageBand = "8-10",
                    theme,
                    minutes = 1,
                },
                System.Net.HttpStatusCode.Accepted
            )
        ).GetProperty("story").Id();
        await Poll.UntilAsync(
            async () =>
                (await (await client.GetAsync($"/api/v1/bedtime-stories/{bedtime}")).JsonAsync()).Str("status")
                == "ready",
            "The erasure footprint's bedtime story was not voiced."
        );
        var turns = (await (await client.GetAsync($"/api/v1/adventures/{owned.AdventureId}/turns?limit=1")).JsonAsync())
            .GetProperty("items")[0]
            .Id();
        await Poll.UntilAsync(
            async () =>
                (await client.PostAsync($"/api/v1/adventures/{owned.AdventureId}/turns/{turns}/audio", null)).StatusCode
                == System.Net.HttpStatusCode.OK,
            "The erasure footprint's narration was not voiced."
        );

        var secret = (await client.PostJsonAsync("/api/v1/me/2fa", new { }, System.Net.HttpStatusCode.OK)).Str(
            "secret"
        );
        (
            await client.PostAsJsonAsync("/api/v1/me/2fa/confirm", new { code = CodeNow(server, secret) })
        ).EnsureSuccessStatusCode();

        var identifiers = new List<(string, string)>
        {
            ("user id", user.Id),
            ("username", user.Username),
            ("email", email),
            ("story text", marker),
            ("API key id", key.Id()),
            ("API key public id", key.Str("prefix")["se_".Length..]),
        };
        identifiers.AddRange(await IdsOwnedByAsync(client));
        return new AccountFootprint(owned, secret, identifiers.DistinctBy(i => i.Item2).ToArray());
    }

    /// <summary>Every server-made id the account's export, sessions and jobs name, except the ids of others who acted
    /// on it.</summary>
    public static async Task<IReadOnlyList<(string What, string Value)>> IdsOwnedByAsync(HttpClient client)
    {
        var found = new List<(string, string)>();
        Collect(await (await client.GetAsync("/api/v1/me/export")).JsonAsync(), "export", found);
        Collect(await (await client.GetAsync("/api/v1/me/sessions")).JsonAsync(), "sessions", found);
        Collect(await (await client.GetAsync("/api/v1/jobs?limit=100")).JsonAsync(), "jobs", found);
        return found.DistinctBy(i => i.Item2).ToArray();
    }

    public static string CodeNow(ServerFixture server, string secret) =>
        Totp.Code(Base32.Decode(secret)!, Totp.StepAt(server.Clock.GetUtcNow()));

    private static void Collect(JsonElement json, string path, List<(string, string)> found)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in json.EnumerateObject())
                {
                    var name = property.Name;
                    var isId = name == "id" || name.EndsWith("Id", StringComparison.Ordinal);
                    // The actor of an entry about this account may be an admin, whose rows must stay.
                    if (
                        isId
                        && name != "actorId"
                        && property.Value.ValueKind == JsonValueKind.String
                        && ServerId().IsMatch(property.Value.GetString()!)
                    )
                    {
                        found.Add(($"{path}.{name}", property.Value.GetString()!));
                    }
                    Collect(property.Value, $"{path}.{name}", found);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in json.EnumerateArray())
                {
                    Collect(item, path, found);
                }
                break;
        }
    }

    // Ids the server makes (UUIDs, see Core's id generator); lore entry numbers and ids inside imported cards are not
    // the account's.
    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex ServerId();
}
