using StoryEngine.Core.Adventures;
using StoryEngine.Core.Stories;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// Gives an adventure a long history fast: ActionTaken + NarrationCompleted per turn, folded into turns with
/// <see cref="StoryProjection.Apply"/> and appended straight to the story log in large batches — the same rows
/// the turn pipeline writes (StoryWriter does this one append at a time), without a narration per turn.
/// </summary>
internal static class Seeder
{
    private const int BatchTurns = 1_000;

    /// <summary>Appends turns until the adventure has <paramref name="turnCount"/>; returns it as it then
    /// stands.</summary>
    public static async Task<Adventure> SeedAsync(
        IServiceProvider services,
        string ownerId,
        string adventureId,
        int turnCount,
        CancellationToken cancellationToken
    )
    {
        var writer = services.GetRequiredService<StoryWriter>();
        var log = services.GetRequiredService<IStoryLog>();
        var clock = services.GetRequiredService<TimeProvider>();
        var adventure = await writer.LoadAsync(ownerId, adventureId, cancellationToken);
        var sequence = adventure.LastSequence;
        var number = adventure.TurnCount;
        while (number < turnCount)
        {
            var expected = sequence;
            var count = Math.Min(BatchTurns, turnCount - number);
            var events = new List<StoryEvent>(count * 2);
            var turns = new List<TurnRecord>(count);
            var at = clock.GetUtcNow();
            for (var i = 0; i < count; i++)
            {
                number++;
                var turnId = Guid.CreateVersion7().ToString();
                var action = StoryEvent.Create(
                    adventureId,
                    ++sequence,
                    new ActionTaken(turnId, number, "do", BenchStory.Action(number)),
                    ownerId,
                    at
                );
                var narration = StoryEvent.Create(
                    adventureId,
                    ++sequence,
                    new NarrationCompleted(
                        turnId,
                        0,
                        BenchStory.Narration(number),
                        "seed",
                        "bench-seed",
                        new TokenUsage(1_500, BenchStory.NarrationTokens),
                        new NarrationTimings(1, 2)
                    ),
                    ownerId,
                    at
                );
                events.Add(action);
                events.Add(narration);
                turns.Add(StoryProjection.Apply(StoryProjection.Apply(null, action), narration)!);
            }
            await log.AppendAsync(adventureId, expected, events, turns, cancellationToken);
        }
        return await writer.LoadAsync(ownerId, adventureId, cancellationToken);
    }
}
