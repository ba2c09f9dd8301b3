using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Tests.Narration;

/// <summary>
/// Issue 19: the narration loop hands each token to the waiting readers (the player's SSE stream) on its own thread,
/// so the token is on its way to the client before anything the first token sets off (saving the prompt report,
/// releasing the background jobs). Other writers (the cross-node relay, which adds under its own lock) wake the
/// readers from the thread pool.
/// </summary>
public sealed class TurnRunTests
{
    [Fact]
    public async Task a_token_added_inline_has_reached_the_waiting_reader_when_add_returns()
    {
        // As under ASP.NET Core: no synchronization context to post the reader's continuations to.
        SynchronizationContext.SetSynchronizationContext(null);
        var run = new TurnRun("adventure", "turn", 0);
        var seen = new List<string>();
        var reading = Read(run, seen);
        Assert.False(reading.IsCompleted); // waiting for the first token

        run.Add("Once", readersInline: true);
        Assert.Equal(["Once"], Snapshot(seen));
        run.Add(" upon", readersInline: true);
        Assert.Equal(["Once", " upon"], Snapshot(seen));

        run.Finish(new OutcomeItem(Turn(), null, null));
        await reading;
        Assert.Equal(["Once", " upon", "(outcome)"], Snapshot(seen));
    }

    [Fact]
    public async Task a_token_added_from_elsewhere_reaches_every_reader_in_order_then_the_outcome()
    {
        var run = new TurnRun("adventure", "turn", 0);
        var first = new List<string>();
        var second = new List<string>();
        var readers = Task.WhenAll(Read(run, first), Read(run, second));
        foreach (var piece in new[] { "a", "b", "c" })
        {
            run.Add(piece);
        }
        run.Finish(new OutcomeItem(Turn(), null, null));
        await readers.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["a", "b", "c", "(outcome)"], Snapshot(first));
        Assert.Equal(["a", "b", "c", "(outcome)"], Snapshot(second));
    }

    private static async Task Read(TurnRun run, List<string> seen)
    {
        await foreach (var item in run.ReadAsync(0, CancellationToken.None))
        {
            lock (seen)
            {
                seen.Add(item is TokenItem token ? token.Text : "(outcome)");
            }
        }
    }

    private static string[] Snapshot(List<string> seen)
    {
        lock (seen)
        {
            return [.. seen];
        }
    }

    private static TurnRecord Turn() =>
        StoryProjection.Apply(
            null,
            StoryEvent.Create(
                "adventure",
                1,
                new ActionTaken("turn", 1, "do", "look"),
                "player",
                DateTimeOffset.UnixEpoch
            )
        )!;
}
