using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Narration;

/// <summary>A narration's outcome that is still to be appended, with the append its action left.</summary>
public sealed record PendingOutcome(
    string OwnerId,
    string TurnId,
    int Alternative,
    IStoryEventPayload Outcome,
    StoryAppend Appended
)
{
    public string AdventureId => Appended.Adventure.Id;

    /// <summary>Events appended just before the outcome, in the same append: the narrator's tool calls and what they
    /// proposed (issue 22).</summary>
    public IReadOnlyList<IStoryEventPayload> Before { get; init; } = [];
}

/// <summary>
/// Appends the event that ends a narration, through a database outage (issue 15, fault 1). It retries with backoff
/// for a few seconds; when the database stays away, it keeps the outcome in memory and writes it once the database
/// is back (<see cref="WritePendingAsync"/>, called by a background service), so the narration's text is not lost and
/// the adventure's lock is released at once instead of waiting for the database.
/// </summary>
public sealed partial class OutcomeWriter(
    StoryWriter writer,
    IStoryLog log,
    TimeProvider clock,
    ILogger<OutcomeWriter> logger
)
{
    /// <summary>The waits between attempts: about 7.5 s in all, longer than a database restart usually takes.</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays =
    [
        .. new[] { 0.1, 0.25, 0.5, 1, 2, 3.5 }.Select(TimeSpan.FromSeconds),
    ];

    private readonly ConcurrentDictionary<
        (string AdventureId, string TurnId, int Alternative),
        PendingOutcome
    > _pending = new();

    /// <summary>Outcomes waiting for the database.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Whether this node holds an unwritten outcome of the turn (the sweeper must leave it alone).</summary>
    public bool IsPending(string adventureId, string turnId) =>
        _pending.Keys.Any(k => k.AdventureId == adventureId && k.TurnId == turnId);

    /// <summary>
    /// Appends the outcome, retrying a storage failure; the stored turn, or null when the outcome was kept for later
    /// because the database stayed away. Other failures (the adventure was deleted meanwhile) are thrown.
    /// </summary>
    public async Task<TurnRecord?> WriteAsync(PendingOutcome outcome)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await AppendOnceAsync(outcome, retrying: attempt > 0, CancellationToken.None);
            }
            catch (Exception e) when (IsStorageFault(e))
            {
                if (attempt == RetryDelays.Count)
                {
                    LogOutcomeDeferred(logger, e, outcome.AdventureId, outcome.TurnId);
                    _pending[(outcome.AdventureId, outcome.TurnId, outcome.Alternative)] = outcome;
                    return null;
                }
                await Task.Delay(RetryDelays[attempt], clock);
            }
        }
    }

    /// <summary>Writes the outcomes kept during an outage; returns those written now, with their stored
    /// turns.</summary>
    public async Task<IReadOnlyList<(PendingOutcome Outcome, TurnRecord Turn)>> WritePendingAsync(
        CancellationToken cancellationToken
    )
    {
        var written = new List<(PendingOutcome, TurnRecord)>();
        foreach (var (key, outcome) in _pending)
        {
            try
            {
                var turn = await AppendOnceAsync(outcome, retrying: true, cancellationToken);
                written.Add((outcome, turn));
                LogOutcomeWrittenLate(logger, outcome.AdventureId, outcome.TurnId);
            }
            catch (Exception e) when (IsStorageFault(e))
            {
                return written; // still away: the next tick tries again
            }
            catch (Exception e) when (e is Errors.StoryEngineException)
            {
                // Nothing to write it to any more (the adventure was deleted while the database was away).
                LogOutcomeDropped(logger, e, outcome.AdventureId, outcome.TurnId);
            }
            _pending.TryRemove(key, out _);
        }
        return written;
    }

    /// <summary>
    /// Faults of the database or the way to it, worth retrying. Anything else (a refusal, a bug) is not made better by
    /// waiting.
    /// </summary>
    public static bool IsStorageFault(Exception e) =>
        e is DbException or TimeoutException or IOException or System.Net.Sockets.SocketException
        || (e is InvalidOperationException && e.InnerException is not null && IsStorageFault(e.InnerException));

    private async Task<TurnRecord> AppendOnceAsync(
        PendingOutcome outcome,
        bool retrying,
        CancellationToken cancellationToken
    )
    {
        if (
            retrying
            && await log.GetTurnAsync(outcome.AdventureId, outcome.TurnId, cancellationToken) is { } stored
            && outcome.Alternative < stored.Alternatives.Count
            && stored.Alternatives[outcome.Alternative].Status != NarrationRecord.Streaming
        )
        {
            // An earlier attempt committed but its answer was lost with the connection: appending again would record
            // the narration's end twice.
            return stored;
        }
        // Background work (world state, summaries) may append to the log meanwhile; the outcome belongs at the end
        // whatever came before. It is tried first at the version the action left, which is usually still current.
        return (
            await writer.AppendLatestAsync(
                outcome.OwnerId,
                outcome.AdventureId,
                outcome.OwnerId,
                [.. outcome.Before, outcome.Outcome],
                retrying ? null : outcome.Appended,
                cancellationToken
            )
        ).Single();
    }

    [LoggerMessage(
        EventId = LogEvents.Narration.OutcomeDeferred,
        Level = LogLevel.Error,
        Message = "The database stayed away: the outcome of adventure {AdventureId}, turn {TurnId} is kept in memory "
            + "and written when it is back"
    )]
    private static partial void LogOutcomeDeferred(
        ILogger logger,
        Exception exception,
        string adventureId,
        string turnId
    );

    [LoggerMessage(
        EventId = LogEvents.Narration.OutcomeWrittenLate,
        Level = LogLevel.Information,
        Message = "Wrote the kept outcome of adventure {AdventureId}, turn {TurnId}"
    )]
    private static partial void LogOutcomeWrittenLate(ILogger logger, string adventureId, string turnId);

    [LoggerMessage(
        EventId = LogEvents.Narration.OutcomeDropped,
        Level = LogLevel.Warning,
        Message = "Dropped the kept outcome of adventure {AdventureId}, turn {TurnId}: it can no longer be appended"
    )]
    private static partial void LogOutcomeDropped(
        ILogger logger,
        Exception exception,
        string adventureId,
        string turnId
    );
}

/// <summary>
/// The database could not be reached in time for a request that must not wait on it (stop, re-attach), or a
/// narration's outcome could not be stored yet: 503 with Retry-After; nothing the player did was lost.
/// </summary>
public sealed class StorageUnavailableException(Exception? inner = null)
    : Errors.StoryEngineException(
        ProblemCode,
        "The database is unavailable right now. Nothing you did was lost; try again in a few seconds."
    )
{
    public const string ProblemCode = "storage_unavailable";

    /// <summary>What a reader of a narration that ended during an outage is told.</summary>
    public const string NarrationMessage =
        "The narration ended while the database was unavailable. Its text is "
        + "kept and saved when the database is back; until then the turn shows as interrupted.";

    public Exception? Cause { get; } = inner;
}
