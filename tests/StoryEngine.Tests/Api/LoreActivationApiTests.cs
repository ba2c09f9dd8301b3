using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Lore in real turns (issue 5, "How it is shown"): what the backend receives, what the context inspector says, and
/// sticky / cooldown across retry, undo and fork, through the real server on both engines.
/// </summary>
public abstract class LoreActivationApiTests(ServerFixture server)
{
    [Fact]
    public async Task an_action_that_mentions_a_lore_key_sends_the_entry_to_the_backend_and_the_inspector_says_why()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var marker = "m" + Guid.NewGuid().ToString("N")[..8];
        await client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new
            {
                name = "Saltmere lore",
                scanDepth = 1,
                entries = new object[]
                {
                    new
                    {
                        id = 1,
                        comment = "Lighthouse",
                        keys = new[] { "lighthouse" },
                        content = $"TRIGGERED-{marker}: the lighthouse has been dark for ten years.",
                    },
                    new
                    {
                        id = 2,
                        constant = true,
                        content = $"CONSTANT-{marker}: the sea takes one sailor every winter.",
                    },
                    new
                    {
                        id = 3,
                        keys = new[] { "dragon" },
                        content = $"UNUSED-{marker}",
                    },
                },
            }
        );
        (
            await client.PutAsJsonAsync(
                $"/api/v1/worlds/{setup.WorldId}/characters/{setup.CharacterId}/lorebook",
                new
                {
                    name = "Maren's book",
                    scanDepth = 1,
                    entries = new object[]
                    {
                        new
                        {
                            id = 0,
                            keys = new[] { "/\\bnets?\\b/i" },
                            content = $"CHARACTER-{marker}: Maren mends nets at dawn.",
                        },
                    },
                }
            )
        ).EnsureSuccessStatusCode();

        var turn = await AdventureTestData.TakeTurnAsync(
            client,
            setup.AdventureId,
            "I climb the Lighthouse with " + $"the Nets. {marker}"
        );
        var messages = (await ScriptedBackend.InstanceAsync()).RequestsContaining($"with the Nets. {marker}").Single()[
            "messages"
        ]!
            .AsArray()
            .Select(m => (Role: m!["role"]!.GetValue<string>(), Text: m["content"]!.GetValue<string>()))
            .ToList();
        Assert.Contains($"CONSTANT-{marker}", messages[0].Text, StringComparison.Ordinal); // the stable system prefix
        Assert.DoesNotContain($"TRIGGERED-{marker}", messages[0].Text, StringComparison.Ordinal);
        var notes = messages[^2];
        Assert.Equal("user", notes.Role); // the volatile block, just before the action
        Assert.Contains($"TRIGGERED-{marker}", notes.Text, StringComparison.Ordinal);
        Assert.Contains($"CHARACTER-{marker}", notes.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(
            $"UNUSED-{marker}",
            string.Concat(messages.Select(m => m.Text)),
            StringComparison.Ordinal
        );
        Assert.Contains(marker, messages[^1].Text, StringComparison.Ordinal);

        var context = await (
            await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context")
        ).JsonAsync();
        var fired = context.GetProperty("lore").GetProperty("fired").EnumerateArray().ToList();
        Assert.Equal(3, fired.Count);
        var lighthouse = fired.Single(f => f.Str("reason") == "key" && f.GetProperty("entryId").GetInt32() == 1);
        Assert.Equal("lighthouse", lighthouse.Str("key"));
        Assert.Equal(turn.GetProperty("number").GetInt32(), lighthouse.GetProperty("turnNumber").GetInt32());
        Assert.Contains("action of turn", lighthouse.Str("where"), StringComparison.Ordinal);
        Assert.Equal("Saltmere lore", lighthouse.Str("book"));
        Assert.Equal(
            ("constant", "constant lore"),
            fired
                .Where(f => f.GetProperty("entryId").GetInt32() == 2)
                .Select(f => (f.Str("reason"), f.Str("placement")))
                .Single()
        );
        var character = fired.Single(f => f.Str("bookId") == setup.CharacterId);
        Assert.Equal("/\\bnets?\\b/i", character.Str("key"));
        var sections = context
            .GetProperty("sections")
            .EnumerateArray()
            .ToDictionary(s => s.Str("name"), s => s.Str("text"));
        Assert.Contains($"TRIGGERED-{marker}", sections["triggered lore"], StringComparison.Ordinal);
        Assert.Contains($"CONSTANT-{marker}", sections["constant lore"], StringComparison.Ordinal);

        // Scan depth 1: the next turn no longer sees the key, so the entry fires no more. It stays only where it was
        // first sent, with turn 1 (so the prompt's prefix does not move), and nothing after turn 1 repeats it.
        var next = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, $"I wait. {marker}-2");
        var nextMessages = (await ScriptedBackend.InstanceAsync()).RequestsContaining($"I wait. {marker}-2").Single()[
            "messages"
        ]!
            .AsArray()
            .Select(m => m!["content"]!.GetValue<string>())
            .ToList();
        Assert.Equal(messages.Select(m => m.Text), nextMessages.Take(messages.Count));
        Assert.DoesNotContain(nextMessages.Skip(messages.Count), m =>
            m.Contains($"TRIGGERED-{marker}", StringComparison.Ordinal)
        );
        Assert.Contains($"CONSTANT-{marker}", nextMessages[0], StringComparison.Ordinal);
        var nextContext = await (
            await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{next.Id()}/context")
        ).JsonAsync();
        Assert.Equal(
            ["constant"],
            nextContext.GetProperty("lore").GetProperty("fired").EnumerateArray().Select(f => f.Str("reason"))
        );
    }

    [Fact]
    public async Task entries_cut_for_budget_are_listed_by_the_inspector_with_the_reason()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new
            {
                name = "Tight",
                tokenBudget = 30,
                entries = new object[]
                {
                    new
                    {
                        id = 1,
                        keys = new[] { "ship" },
                        priority = 10,
                        content = new string('a', 80),
                    },
                    new
                    {
                        id = 2,
                        keys = new[] { "ship" },
                        priority = 1,
                        content = new string('b', 80),
                    },
                },
            }
        );
        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I board the ship.");
        var lore = (
            await (
                await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context")
            ).JsonAsync()
        ).GetProperty("lore");
        Assert.Equal(1, Assert.Single(lore.GetProperty("fired").EnumerateArray()).GetProperty("entryId").GetInt32());
        var cut = Assert.Single(lore.GetProperty("notFired").EnumerateArray());
        Assert.Equal((2, "budget"), (cut.GetProperty("entryId").GetInt32(), cut.Str("reason")));
        Assert.Contains("of 30 left", cut.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("\"ship\"", cut.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_retry_sees_the_same_probabilistic_lore()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new
            {
                name = "Chance",
                entries = Enumerable
                    .Range(1, 8)
                    .Select(i => new
                    {
                        id = i,
                        keys = new[] { "bell" },
                        probability = 50,
                        content = $"Bell lore {i}.",
                    })
                    .ToArray(),
            }
        );
        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "The bell rings.");
        var retried = await (
            await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/retry", null)
        ).JsonAsync();
        Assert.Equal(2, retried.GetProperty("alternatives").GetArrayLength());

        async Task<(int[] Fired, int[] Lost)> LoreOf(int alternative)
        {
            var lore = (
                await (
                    await client.GetAsync(
                        $"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context?alternative={alternative}"
                    )
                ).JsonAsync()
            ).GetProperty("lore");
            return (
                [.. lore.GetProperty("fired").EnumerateArray().Select(f => f.GetProperty("entryId").GetInt32())],
                [
                    .. lore.GetProperty("notFired")
                        .EnumerateArray()
                        .Where(n => n.Str("reason") == "probability")
                        .Select(n => n.GetProperty("entryId").GetInt32()),
                ]
            );
        }
        var first = await LoreOf(0);
        var second = await LoreOf(1);
        Assert.Equal(8, first.Fired.Length + first.Lost.Length);
        Assert.Equal(first.Fired, second.Fired);
        Assert.Equal(first.Lost, second.Lost);
    }

    [Fact]
    public async Task cooldown_and_sticky_follow_the_branch_after_undo_and_fork()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new
            {
                name = "Timers",
                scanDepth = 1,
                entries = new object[]
                {
                    new
                    {
                        id = 1,
                        keys = new[] { "bell" },
                        cooldown = 2,
                        content = "The bell.",
                    },
                    new
                    {
                        id = 2,
                        keys = new[] { "storm" },
                        sticky = 1,
                        content = "The storm.",
                    },
                },
            }
        );
        async Task<Dictionary<int, string>> Turn(string adventureId, string text)
        {
            var turn = await AdventureTestData.TakeTurnAsync(client, adventureId, text);
            var lore = (
                await (await client.GetAsync($"/api/v1/adventures/{adventureId}/turns/{turn.Id()}/context")).JsonAsync()
            ).GetProperty("lore");
            return lore.GetProperty("fired")
                .EnumerateArray()
                .Select(f => (Id: f.GetProperty("entryId").GetInt32(), Reason: f.Str("reason")))
                .Concat(
                    lore.GetProperty("notFired")
                        .EnumerateArray()
                        .Select(n => (Id: n.GetProperty("entryId").GetInt32(), Reason: "not:" + n.Str("reason")))
                )
                .ToDictionary(x => x.Id, x => x.Reason);
        }

        var one = await Turn(setup.AdventureId, "The bell and the storm.");
        Assert.Equal("key", one[1]);
        Assert.Equal("key", one[2]);
        var oneId = (await (await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns")).JsonAsync())
            .GetProperty("items")[0]
            .Id();
        var two = await Turn(setup.AdventureId, "The bell again.");
        Assert.Equal("not:cooldown", two[1]);
        Assert.Equal("sticky", two[2]);

        // A fork at turn 1 inherits what fired there: the bell is still cooling down and the storm still sticks.
        var fork = await (
            await client.PostAsJsonAsync($"/api/v1/adventures/{setup.AdventureId}/fork", new { atTurnId = oneId })
        ).JsonAsync(HttpStatusCode.Created);
        var forked = await Turn(fork.Id(), "The bell once more.");
        Assert.Equal("not:cooldown", forked[1]);
        Assert.Equal("sticky", forked[2]);

        // Undoing both turns takes their activations back with them: the bell may ring at once.
        (await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).EnsureSuccessStatusCode();
        (await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).EnsureSuccessStatusCode();
        var again = await Turn(setup.AdventureId, "The bell, from the start.");
        Assert.Equal("key", again[1]);
        Assert.False(again.ContainsKey(2));

        // And the parent's later turns never leak into the fork: the fork's next turn is two live turns after its turn
        // 1.
        var forkLater = await Turn(fork.Id(), "The bell at last.");
        Assert.Equal("not:cooldown", forkLater[1]);
        var forkLatest = await Turn(fork.Id(), "The bell, finally.");
        Assert.Equal("key", forkLatest[1]);
    }

    [Fact]
    public async Task an_adventure_without_lorebooks_has_no_lore_in_its_report()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "Nothing to see.");
        var context = await (
            await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context")
        ).JsonAsync();
        Assert.True(!context.TryGetProperty("lore", out var lore) || lore.ValueKind == JsonValueKind.Null);
        Assert.Equal(
            "",
            context.GetProperty("sections").EnumerateArray().Single(s => s.Str("name") == "triggered lore").Str("text")
        );
    }
}

[Collection(SqliteCollection.Name)]
public sealed class LoreActivationApiTests_Sqlite(SqliteServerFixture server) : LoreActivationApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class LoreActivationApiTests_Postgres(PostgresServerFixture server) : LoreActivationApiTests(server);
