using System.Net.Http.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;
using static StoryEngine.Tests.Memory.MemoryTestData;

namespace StoryEngine.Tests.Memory;

/// <summary>Full-text recall end to end: the turn is indexed by a job after it completes, and recalled into a later
/// prompt.</summary>
public abstract class RecallTests(MemoryServer memory)
{
    [Fact]
    public async Task fact_from_an_early_turn_is_recalled_into_a_later_prompt_with_its_turn_number()
    {
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var fact = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Fact);
        await FillerTurnsAsync(client, setup.AdventureId, 12);
        var question = await AdventureTestData.TakeTurnAsync(
            client,
            setup.AdventureId,
            "Where did I hide the brass key?"
        );

        var messages = await NarrationMessagesAsync("Where did I hide the brass key?");
        // Turn 1 is out of the transcript (over budget) but back in the volatile block, with its number.
        Assert.DoesNotContain(messages, m =>
            m!["role"]!.GetValue<string>() == "user"
            && Content(m).StartsWith("[Action] " + Fact, StringComparison.Ordinal)
        );
        var recalled = RecalledMessage(messages);
        Assert.NotNull(recalled);
        Assert.Contains($"Turn 1: [Action] {Fact}", recalled, StringComparison.Ordinal);
        Assert.Equal("[Action] Where did I hide the brass key?", Content(messages[^1]!));
        Assert.Equal(recalled, Content(messages[^2]!)); // last before the action: after the cached prefix

        var context = await ContextAsync(client, setup.AdventureId, question.Id());
        var memoryReport = context.GetProperty("memory");
        Assert.Contains("brass", memoryReport.GetProperty("recallTerms").EnumerateArray().Select(t => t.GetString()));
        var entry = Recalled(context).Single(r => r.Str("turnId") == fact.Id());
        Assert.True(entry.GetProperty("included").GetBoolean());
        Assert.Equal("recalled", entry.Str("reason"));
        Assert.Equal(1, entry.GetProperty("turn").GetInt32());
        Assert.Equal(1, entry.GetProperty("textRank").GetInt32());
        Assert.True(entry.GetProperty("score").GetDouble() > 0);
        var section = context
            .GetProperty("sections")
            .EnumerateArray()
            .Single(s => s.Str("name") == "recalled memories");
        Assert.Contains("Turn 1:", section.Str("text"), StringComparison.Ordinal);
        Assert.Contains("full-text only", memoryReport.Str("recallNote"), StringComparison.Ordinal);

        // Turns beyond the loaded transcript are read back by id (a 2,000-turn story): the current text, on both
        // engines.
        var store = memory.Server.Services.GetRequiredService<Core.Memory.IMemoryStore>();
        var read = await store.GetTurnsAsync(setup.AdventureId, [fact.Id(), question.Id()], CancellationToken.None);
        Assert.Equal([fact.Id(), question.Id()], read.OrderBy(t => t.Number).Select(t => t.TurnId));
        Assert.Equal(Fact, read.Single(t => t.TurnId == fact.Id()).PlayerText);
    }

    [Fact]
    public async Task turns_still_in_the_transcript_are_not_recalled_twice()
    {
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var fact = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Fact);
        var question = await AdventureTestData.TakeTurnAsync(
            client,
            setup.AdventureId,
            "Is the brass key still hidden?"
        );

        Assert.Null(RecalledMessage(await NarrationMessagesAsync("Is the brass key still hidden?")));
        var entry = Recalled(await ContextAsync(client, setup.AdventureId, question.Id()))
            .Single(r => r.Str("turnId") == fact.Id());
        Assert.False(entry.GetProperty("included").GetBoolean());
        Assert.Equal("in the transcript", entry.Str("reason"));
    }

    [Fact]
    public async Task a_fork_recalls_the_shared_history_but_never_its_siblings_turns()
    {
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var fact = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Fact);
        var forkPoint = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I sit down on the pier");
        var fork = (
            await client.PostJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/fork",
                new { atTurnId = forkPoint.Id() }
            )
        ).Id();

        var onlyInParent = await AdventureTestData.TakeTurnAsync(
            client,
            setup.AdventureId,
            "I bury the silver " + "compass beneath the old oak"
        );
        var onlyInFork = await AdventureTestData.TakeTurnAsync(
            client,
            fork,
            "I drop the red lantern into the dry " + "well"
        );
        await FillerTurnsAsync(client, setup.AdventureId, 12, "harbour");
        await FillerTurnsAsync(client, fork, 12, "market");

        var forkQuestion = await AdventureTestData.TakeTurnAsync(
            client,
            fork,
            "Where are the brass key and the " + "silver compass?"
        );
        var forkRecalled = Recalled(await ContextAsync(client, fork, forkQuestion.Id()));
        Assert.Contains(forkRecalled, r => r.Str("turnId") == fact.Id() && r.GetProperty("included").GetBoolean());
        Assert.DoesNotContain(forkRecalled, r => r.Str("turnId") == onlyInParent.Id());
        Assert.DoesNotContain(
            "beneath the old oak",
            string.Concat(
                (await NarrationMessagesAsync("Where are the " + "brass key and the silver compass?")).Select(m =>
                    Content(m!)
                )
            ),
            StringComparison.Ordinal
        );

        var parentQuestion = await AdventureTestData.TakeTurnAsync(
            client,
            setup.AdventureId,
            "Where is the red " + "lantern and the silver compass?"
        );
        var parentRecalled = Recalled(await ContextAsync(client, setup.AdventureId, parentQuestion.Id()));
        Assert.Contains(parentRecalled, r =>
            r.Str("turnId") == onlyInParent.Id() && r.GetProperty("included").GetBoolean()
        );
        Assert.DoesNotContain(parentRecalled, r => r.Str("turnId") == onlyInFork.Id());
        Assert.DoesNotContain(
            "dry well",
            string.Concat(
                (await NarrationMessagesAsync("Where is the red lantern and " + "the silver compass?")).Select(m =>
                    Content(m!)
                )
            ),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public async Task undone_turns_are_not_recalled_and_edited_turns_are_recalled_with_their_new_text()
    {
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var fact = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Fact);
        var undone = await AdventureTestData.TakeTurnAsync(
            client,
            setup.AdventureId,
            "I paint the rowing boat emerald green"
        );
        await FillerTurnsAsync(client, setup.AdventureId, 1, "dunes"); // indexes the boat turn before it is undone
        (await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).EnsureSuccessStatusCode();
        (await client.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).EnsureSuccessStatusCode();
        (
            await client.PatchAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/turns/{fact.Id()}",
                new
                {
                    playerText = "I hide the brass key inside the blue " + "teapot",
                    narration = "The brass key rests " + "inside the blue teapot.",
                }
            )
        ).EnsureSuccessStatusCode();
        await FillerTurnsAsync(client, setup.AdventureId, 12);

        const string Question = "Where is the brass key, and is the rowing boat emerald?";
        var question = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Question);
        var all = string.Concat((await NarrationMessagesAsync(Question)).Select(m => Content(m!)));
        Assert.Contains(
            "Turn 1: [Action] I hide the brass key inside the blue teapot\nThe brass key rests inside "
                + "the blue teapot.",
            all,
            StringComparison.Ordinal
        );
        Assert.DoesNotContain("floorboard", all, StringComparison.Ordinal);
        Assert.DoesNotContain("paint the rowing boat", all, StringComparison.Ordinal);
        Assert.DoesNotContain(Recalled(await ContextAsync(client, setup.AdventureId, question.Id())), r =>
            r.Str("turnId") == undone.Id()
        );
    }
}

public sealed class RecallTests_Sqlite(TextMemorySqliteServer memory)
    : RecallTests(memory),
        IClassFixture<TextMemorySqliteServer>;

public sealed class RecallTests_Postgres(TextMemoryPostgresServer memory)
    : RecallTests(memory),
        IClassFixture<TextMemoryPostgresServer>;
