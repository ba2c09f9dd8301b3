using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Stories;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Tabletop;

/// <summary>
/// Issue 23 end to end on both engines: rolls are story events that show in the table and in the narrator's next
/// prompt and are never rolled again by a retry, a fork or an undo; the rules reference data is public and cached;
/// sheets are checked and derive their numbers; a marked check request is answered with one roll; the combat tracker
/// runs three rounds with conditions that expire.
/// </summary>
public abstract class TabletopApiTests(ServerFixture server)
{
    private static readonly object Ada = new
    {
        race = "elf",
        @class = "rogue",
        level = 1,
        abilities = new
        {
            str = 8,
            dex = 16,
            con = 12,
            @int = 13,
            wis = 14,
            cha = 10,
        },
        skills = new[] { "stealth", "perception" },
        hp = new { current = 9, max = 9 },
        armorClass = 14,
    };

    private static async Task<JsonElement> RollAsync(HttpClient client, string adventureId, object body) =>
        await client.PostJsonAsync($"/api/v1/adventures/{adventureId}/rolls", body);

    private static async Task<JsonElement[]> RollsAsync(HttpClient client, string adventureId) =>
        [
            .. (await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{adventureId}/rolls"))
                .GetProperty("items")
                .EnumerateArray(),
        ];

    private static string Fingerprint(IEnumerable<JsonElement> rolls) =>
        string.Join(";", rolls.Select(r => $"{r.Id()}={r.GetProperty("total").GetInt32()}:{r.Str("text")}"));

    [Fact]
    public async Task a_roll_is_an_event_shown_in_the_table_and_told_to_the_narrator_next_turn()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await (await client.PutAsJsonAsync($"/api/v1/adventures/{setup.AdventureId}/sheets/Ada", Ada)).JsonAsync();

        var roll = await RollAsync(
            client,
            setup.AdventureId,
            new
            {
                skill = "Stealth",
                dc = 15,
                reason = "sneaking past the guard",
            }
        );
        // Dex 16 is +3, proficiency at level 1 is +2: the check is 1d20+5.
        Assert.Equal("1d20+5", roll.Str("expression"));
        var die = roll.GetProperty("terms")[0].GetProperty("dice")[0].GetProperty("value").GetInt32();
        var total = roll.GetProperty("total").GetInt32();
        Assert.Equal(die + 5, total);
        Assert.Equal(total >= 15, roll.GetProperty("check").GetProperty("success").GetBoolean());
        Assert.Equal("Ada", roll.Str("character"));
        Assert.StartsWith($"Ada rolled Stealth: {total} (", roll.Str("said"), StringComparison.Ordinal);

        var events = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/events"))
            .GetProperty("items")
            .EnumerateArray()
            .ToArray();
        var rolled = events.Single(e => e.Str("type") == nameof(DiceRolled)).GetProperty("payload");
        Assert.Equal(roll.Id(), rolled.Str("rollId"));
        Assert.Equal(total, rolled.GetProperty("total").GetInt32());
        Assert.Equal("player", rolled.Str("rolledBy"));

        var marker = "tt" + Guid.NewGuid().ToString("N")[..8];
        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, $"{marker} I slip inside");
        Assert.Equal("completed", turn.GetProperty("alternatives")[0].Str("status"));
        var sent = (await ScriptedBackend.InstanceAsync()).RequestsContaining(marker).Last().ToJsonString();
        Assert.Contains($"Ada rolled Stealth: {total} (", sent, StringComparison.Ordinal);
        Assert.Contains("passive Perception 14", sent, StringComparison.Ordinal);

        // The inspector shows the same section.
        var context = await client.GetFromJsonAsync<JsonElement>(
            $"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context"
        );
        var section = context.GetProperty("sections").EnumerateArray().Single(s => s.Str("name") == "tabletop");
        Assert.Contains($"Ada rolled Stealth: {total}", section.Str("text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_plain_story_sends_no_table()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I look at the sea");
        var context = await client.GetFromJsonAsync<JsonElement>(
            $"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context"
        );
        var section = context.GetProperty("sections").EnumerateArray().Single(s => s.Str("name") == "tabletop");
        Assert.Equal("", section.Str("text"));
        var table = await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/tabletop");
        Assert.False(table.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task retry_fork_and_undo_never_roll_again()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var opening = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/turns"))
            .GetProperty("items")
            .EnumerateArray()
            .Single()
            .Id();
        await RollAsync(client, setup.AdventureId, new { expression = "4d6dl1", reason = "strength" });
        var one = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I draw my sword");
        await RollAsync(client, setup.AdventureId, new { expression = "1d20+3", reason = "attack" });
        await RollAsync(client, setup.AdventureId, new { expression = "2d6!", reason = "damage" });
        var before = await RollsAsync(client, setup.AdventureId);
        Assert.Equal(3, before.Length);
        Assert.Equal([one.Id(), one.Id(), opening], before.Select(r => r.Str("turnId")));

        // A retry narrates turn one again; the rolls are read from the log, not rolled.
        await (
            await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{one.Id()}/retry", null)
        ).JsonAsync();
        Assert.Equal(Fingerprint(before), Fingerprint(await RollsAsync(client, setup.AdventureId)));

        // A fork at turn one copies the same rolls; a fork at the opening keeps only the one made there.
        var fork = await client.PostJsonAsync(
            $"/api/v1/adventures/{setup.AdventureId}/fork",
            new { atTurnId = one.Id() }
        );
        Assert.Equal(Fingerprint(before), Fingerprint(await RollsAsync(client, fork.Id())));
        var early = await client.PostJsonAsync(
            $"/api/v1/adventures/{setup.AdventureId}/fork",
            new { atTurnId = opening }
        );
        Assert.Equal(Fingerprint(before[2..]), Fingerprint(await RollsAsync(client, early.Id())));

        // Undo takes turn one's rolls back with it; the log keeps them.
        await (await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).JsonAsync();
        Assert.Equal(Fingerprint(before[2..]), Fingerprint(await RollsAsync(client, setup.AdventureId)));
        var logged = (
            await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/events?limit=200")
        )
            .GetProperty("items")
            .EnumerateArray()
            .Count(e => e.Str("type") == nameof(DiceRolled));
        Assert.Equal(3, logged);
    }

    [Fact]
    public async Task bad_notation_is_a_400_saying_where_and_a_limit_is_a_422_naming_it()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var url = $"/api/v1/adventures/{setup.AdventureId}/rolls";
        var bad = await (await client.PostAsJsonAsync(url, new { expression = "2d6x" })).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.Contains(
            "position 4",
            bad.GetProperty("errors").GetProperty("expression")[0].GetString(),
            StringComparison.Ordinal
        );
        var limit = await (await client.PostAsJsonAsync(url, new { expression = "500d6" })).AssertProblemAsync(
            HttpStatusCode.UnprocessableEntity,
            "dice_limit"
        );
        Assert.Contains("at most 100 dice", limit.Str("detail"), StringComparison.Ordinal);
        await (await client.PostAsJsonAsync(url, new { expression = "1d100000" })).AssertProblemAsync(
            HttpStatusCode.UnprocessableEntity,
            "dice_limit"
        );
        await (await client.PostAsJsonAsync(url, new { skill = "juggling", dc = 10 })).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.Empty(await RollsAsync(client, setup.AdventureId));
    }

    [Fact]
    public async Task rules_are_public_cached_data_with_an_etag_and_304()
    {
        using var anonymous = server.CreateClient();
        var list = await anonymous.GetAsync("/api/v1/rules");
        var body = await list.JsonAsync();
        var srd = body.GetProperty("items").EnumerateArray().Single(s => s.Str("id") == "srd-5.1");
        Assert.Equal("CC-BY-4.0", srd.Str("license"));
        Assert.Contains("System Reference Document 5.1", srd.Str("attribution"), StringComparison.Ordinal);
        Assert.True(list.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromHours(1), list.Headers.CacheControl.MaxAge);
        var etag = list.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/rules");
        again.Headers.IfNoneMatch.Add(etag);
        var notModified = await anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.True(notModified.Headers.CacheControl!.Public);

        var rogue = await (await anonymous.GetAsync("/api/v1/rules/srd-5.1/classes/rogue")).JsonAsync();
        Assert.Equal(8, rogue.GetProperty("hitDie").GetInt32());
        Assert.Equal(["dex", "int"], rogue.GetProperty("savingThrows").EnumerateArray().Select(e => e.GetString()));
        var skills = await (await anonymous.GetAsync("/api/v1/rules/srd-5.1/skills")).JsonAsync();
        Assert.Equal(18, skills.GetProperty("items").GetArrayLength());
        var whole = await (await anonymous.GetAsync("/api/v1/rules/srd-5.1")).JsonAsync();
        Assert.Equal(15, whole.GetProperty("conditions").GetArrayLength());
        Assert.Equal(9, whole.GetProperty("races").GetArrayLength());
        Assert.Equal(12, whole.GetProperty("classes").GetArrayLength());

        await (await anonymous.GetAsync("/api/v1/rules/srd-5.1/spells")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (await anonymous.GetAsync("/api/v1/rules/srd-5.1/classes/bard-of-doom")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (await anonymous.GetAsync("/api/v1/rules/nope")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task a_sheet_is_checked_against_the_rules_and_derives_its_numbers()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var url = $"/api/v1/adventures/{setup.AdventureId}/sheets/Ada";
        var saved = await (await client.PutAsJsonAsync(url, Ada)).JsonAsync();
        var derived = saved.GetProperty("derived");
        Assert.Equal(2, derived.GetProperty("proficiencyBonus").GetInt32());
        Assert.Equal(3, derived.GetProperty("modifiers").GetProperty("dex").GetInt32());
        Assert.Equal(5, derived.GetProperty("savingThrows").GetProperty("dex").GetInt32()); // rogue: Dex and Int
        Assert.Equal(3, derived.GetProperty("savingThrows").GetProperty("int").GetInt32());
        Assert.Equal(14, derived.GetProperty("passivePerception").GetInt32());
        Assert.Equal(8, derived.GetProperty("hitDie").GetInt32());

        var bad = await (
            await client.PutAsJsonAsync(
                url,
                new
                {
                    @class = "astronaut",
                    level = 21,
                    abilities = new { dex = 31, luck = 3 },
                    skills = new[] { "stealth", "flying" },
                    hp = new { current = 12, max = 9 },
                }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var fields = bad.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["abilities", "class", "hp", "level", "skills"], fields);

        // Every change is an event that says what changed.
        await (
            await client.PutAsJsonAsync(
                url,
                new
                {
                    race = "elf",
                    @class = "rogue",
                    level = 5,
                    abilities = new { dex = 16, wis = 14 },
                    skills = new[] { "stealth", "perception" },
                    hp = new { current = 20, max = 33 },
                    armorClass = 14,
                }
            )
        ).JsonAsync();
        var changes = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/events"))
            .GetProperty("items")
            .EnumerateArray()
            .Where(e => e.Str("type") == nameof(SheetSaved))
            .Select(e => e.GetProperty("payload").Str("change"))
            .ToArray();
        Assert.Equal("created", changes[0]);
        Assert.Contains("level 1 → 5", changes[1], StringComparison.Ordinal);
        Assert.Contains("HP 9 → 20", changes[1], StringComparison.Ordinal);
        var list = await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/sheets");
        Assert.Equal(3, list.GetProperty("items")[0].GetProperty("derived").GetProperty("proficiencyBonus").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(url)).StatusCode);
        await (await client.DeleteAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task a_check_the_narrator_marked_is_answered_with_one_roll()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await (await client.PutAsJsonAsync($"/api/v1/adventures/{setup.AdventureId}/sheets/Ada", Ada)).JsonAsync();
        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I try the lock");
        // A narrator without tools ends its reply with the marker the prompt taught it (here written into the turn).
        await (
            await client.PatchAsync(
                $"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}",
                JsonContent.Create(
                    new { narration = "The lock is old and stiff. [[check: Sleight of Hand DC 12 | picking the lock]]" }
                )
            )
        ).JsonAsync();
        var table = await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/tabletop");
        var pending = table.GetProperty("pendingChecks").EnumerateArray().Single();
        Assert.Equal("Sleight of Hand", pending.Str("skill"));
        Assert.Equal(12, pending.GetProperty("dc").GetInt32());

        var roll = await RollAsync(client, setup.AdventureId, new { requestId = pending.Str("requestId") });
        Assert.Equal("Sleight of Hand", roll.GetProperty("check").Str("skill"));
        Assert.Equal("picking the lock", roll.Str("reason"));
        Assert.Equal("1d20+3", roll.Str("expression")); // Dex +3, not proficient
        table = await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}/tabletop");
        Assert.Equal(0, table.GetProperty("pendingChecks").GetArrayLength());
        // Answered once: a second click is refused.
        await (
            await client.PostAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/rolls",
                new { requestId = pending.Str("requestId") }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task the_combat_tracker_runs_three_rounds_and_the_narrator_sees_whose_turn_it_is()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var id = setup.AdventureId;
        await (await client.PutAsJsonAsync($"/api/v1/adventures/{id}/sheets/Ada", Ada)).JsonAsync();
        await (await client.PostAsJsonAsync($"/api/v1/adventures/{id}/combat/next-turn", new { })).AssertProblemAsync(
            HttpStatusCode.Conflict,
            "no_combat"
        );
        var started = await (
            await client.PostAsJsonAsync(
                $"/api/v1/adventures/{id}/combat",
                new
                {
                    combatants = new object[]
                    {
                        new { name = "Ada", initiative = 15 },
                        new
                        {
                            name = "Goblin",
                            initiative = 12,
                            hp = 7,
                            armorClass = 15,
                        },
                        new { name = "Wolf", hp = 11 }, // initiative rolled: a recorded roll
                    },
                }
            )
        ).JsonAsync();
        var order = started.GetProperty("combat").GetProperty("order").EnumerateArray().ToArray();
        Assert.Equal(9, order.Single(c => c.Str("name") == "Ada").GetProperty("hp").GetInt32()); // from the sheet
        var wolfInitiative = order.Single(c => c.Str("name") == "Wolf").GetProperty("initiative").GetInt32();
        var rolls = await RollsAsync(client, id);
        Assert.Equal(wolfInitiative, rolls.Single(r => r.Str("character") == "Wolf").GetProperty("total").GetInt32());

        async Task<JsonElement> Act(string action, object? body = null) =>
            (
                await (
                    await client.PostAsJsonAsync($"/api/v1/adventures/{id}/combat/{action}", body ?? new { })
                ).JsonAsync()
            ).GetProperty("combat");

        var names = order.Select(o => o.Str("name")).ToArray();
        await Act(
            "condition",
            new
            {
                name = "Goblin",
                condition = "prone",
                rounds = 2,
            }
        );
        await Act(
            "hp",
            new
            {
                name = "Ada",
                delta = -4,
                reason = "scimitar",
            }
        );
        JsonElement combat = default;
        for (var i = 0; i < names.Length * 3; i++)
        {
            combat = await Act("next-turn");
            var expected = names[(i + 1) % names.Length];
            Assert.Equal(expected, combat.GetProperty("current").Str("name"));
            Assert.Equal(1 + (i + 1) / names.Length, combat.GetProperty("round").GetInt32());
        }
        Assert.Equal(4, combat.GetProperty("round").GetInt32());
        Assert.Equal(0, combat.GetProperty("turnIndex").GetInt32());
        // Prone for two of the goblin's own turns, then gone.
        var goblin = combat.GetProperty("order").EnumerateArray().Single(c => c.Str("name") == "Goblin");
        Assert.Equal(0, goblin.GetProperty("conditions").GetArrayLength());

        var sheets = await client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{id}/sheets");
        Assert.Equal(
            5,
            sheets.GetProperty("items")[0].GetProperty("sheet").GetProperty("hp").GetProperty("current").GetInt32()
        );

        var marker = "cb" + Guid.NewGuid().ToString("N")[..8];
        await AdventureTestData.TakeTurnAsync(client, id, $"{marker} I strike");
        var sent = (await ScriptedBackend.InstanceAsync()).RequestsContaining(marker).Last().ToJsonString();
        Assert.Contains($"Combat, round 4: it is {names[0]}", sent, StringComparison.Ordinal);

        await Act("leave", new { name = "Wolf" });
        var ended = await (await client.PostAsJsonAsync($"/api/v1/adventures/{id}/combat/end", new { })).JsonAsync();
        Assert.Equal(JsonValueKind.Null, ended.GetProperty("combat").ValueKind);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class TabletopApiTests_Sqlite(SqliteServerFixture server) : TabletopApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class TabletopApiTests_Postgres(PostgresServerFixture server) : TabletopApiTests(server);
