using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.State;
using StoryEngine.Core.Stories;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;
using StoryEngine.Tests.Memory;

namespace StoryEngine.Tests.Stories;

/// <summary>
/// A player's write races a background job's: the state job's result lands between the write's checks and its append.
/// The write goes in after it (its checks still hold); any other event in between still refuses it with a 409.
/// Found by the per-turn benchmark, where a player's next action could be answered story_conflict.
/// </summary>
public abstract class StoryWriterRaceTests(ServerFixture server)
{
    [Fact]
    public async Task a_state_result_landing_before_a_players_action_is_appended_does_not_refuse_the_action()
    {
        var (adventure, turnId, log, writer) = await PlayedAdventureAsync(landing: _ => new StateChanged(
            _,
            0,
            new StateChange(TimeOfDay: "dusk")
        ));

        var turns = await writer.AppendAsync(
            adventure,
            adventure.OwnerId,
            [new ActionTaken("race-turn", adventure.TurnCount + 1, "do", "I light the lamp")],
            CancellationToken.None
        );

        Assert.Equal("race-turn", Assert.Single(turns).TurnId);
        var events = await log.ReadAsync(adventure.Id, adventure.LastSequence, 10, CancellationToken.None);
        Assert.Equal([nameof(StateChanged), nameof(ActionTaken)], events.Select(e => e.Type));
        Assert.Equal([adventure.LastSequence + 1, adventure.LastSequence + 2], events.Select(e => e.Sequence));
        Assert.Equal(turnId, (await log.GetTurnAsync(adventure.Id, turnId, CancellationToken.None))!.TurnId);
    }

    [Fact]
    public async Task any_other_event_landing_in_between_still_refuses_the_write()
    {
        var (adventure, _, log, writer) = await PlayedAdventureAsync(landing: turn => new TurnEdited(
            turn,
            "I wait instead",
            null
        ));

        var refused = await Assert.ThrowsAsync<StoryConflictException>(() =>
            writer.AppendAsync(
                adventure,
                adventure.OwnerId,
                [new ActionTaken("race-turn", adventure.TurnCount + 1, "do", "I light the lamp")],
                CancellationToken.None
            )
        );

        Assert.Equal("story_conflict", refused.Code);
        var events = await log.ReadAsync(adventure.Id, adventure.LastSequence, 10, CancellationToken.None);
        Assert.Equal([nameof(TurnEdited)], events.Select(e => e.Type)); // nothing of the refused write
    }

    [Fact]
    public async Task a_background_append_waits_until_no_turn_is_being_prepared()
    {
        using var account = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(account.Client);
        await AdventureTestData.TakeTurnAsync(account.Client, setup.AdventureId, "I light the lamp");
        await BackgroundJobs.SettleAsync(account.Client, setup.AdventureId);
        var log = server.Services.GetRequiredService<IStoryLog>();
        var adventures = server.Services.GetRequiredService<IAdventureStore>();
        // A gate of its own, so the shared server's turns do not count, with a wait longer than any test.
        var gate = new Core.Jobs.ForegroundGate(TimeProvider.System) { BackgroundWait = TimeSpan.FromMinutes(5) };
        var writer = new StoryWriter(adventures, log, TimeProvider.System, gate);
        var before = await log.GetLastSequenceAsync(setup.AdventureId, CancellationToken.None);

        var preparing = gate.Enter();
        var append = writer.AppendInBackgroundAsync(
            account.Id,
            setup.AdventureId,
            "system",
            [new StateExtractionSkipped("t", 0, "a background result")],
            CancellationToken.None
        );
        // Held while the turn is prepared: nothing reached the log.
        Assert.False(append.IsCompleted);
        Assert.Equal(before, await log.GetLastSequenceAsync(setup.AdventureId, CancellationToken.None));

        preparing.Dispose(); // the turn's first token
        await append;
        Assert.Equal(before + 1, await log.GetLastSequenceAsync(setup.AdventureId, CancellationToken.None));
    }

    /// <summary>
    /// An adventure with one played turn, and a writer whose log lets <paramref name="landing"/>'s event (about that
    /// turn) in just before the first append it is asked for, as a background job finishing at that moment would.
    /// </summary>
    private async Task<(Adventure Adventure, string TurnId, IStoryLog Log, StoryWriter Writer)> PlayedAdventureAsync(
        Func<string, IStoryEventPayload> landing
    )
    {
        using var account = await server.CreateAccountAsync();
        var client = account.Client;
        var setup = await AdventureTestData.CreateAsync(client);
        var turnId = (
            await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I climb to the lamp room")
        ).Id();
        await BackgroundJobs.SettleAsync(client, setup.AdventureId);
        var log = server.Services.GetRequiredService<IStoryLog>();
        var adventures = server.Services.GetRequiredService<IAdventureStore>();
        var ownerId = account.Id;
        var adventure = (await adventures.GetAsync(ownerId, setup.AdventureId, CancellationToken.None))!;

        var (racing, calls) = Intercepted<IStoryLog>.Wrap(log);
        var landed = false;
        var otherWriter = new StoryWriter(adventures, log, TimeProvider.System);
        calls.Before = (method, _) =>
        {
            if (method.Name == nameof(IStoryLog.AppendAsync) && !landed)
            {
                landed = true;
                otherWriter
                    .AppendLatestAsync(ownerId, adventure.Id, "system", [landing(turnId)], CancellationToken.None)
                    .GetAwaiter()
                    .GetResult();
            }
            return null;
        };
        return (adventure, turnId, log, new StoryWriter(adventures, racing, TimeProvider.System));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class StoryWriterRaceTests_Sqlite(SqliteServerFixture server) : StoryWriterRaceTests(server);

[Collection(PostgresCollection.Name)]
public sealed class StoryWriterRaceTests_Postgres(PostgresServerFixture server) : StoryWriterRaceTests(server);
