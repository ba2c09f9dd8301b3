using StoryEngine.Core.Jobs;
using StoryEngine.Core.State;

namespace StoryEngine.Server.Contracts;

/// <summary>A background job as clients see it; the payload stays internal (it is for the handler).</summary>
public sealed record JobResponse(
    string Id,
    string Type,
    string? AdventureId,
    string Priority,
    string State,
    int Attempts,
    int MaxAttempts,
    DateTimeOffset RunAfter,
    DateTimeOffset? LockedUntil,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt
)
{
    public static JobResponse From(JobRecord j) =>
        new(
            j.Id,
            j.Type,
            j.AdventureId,
            j.Priority.ToString().ToLowerInvariant(),
            j.State,
            j.Attempts,
            j.MaxAttempts,
            j.RunAfter,
            j.LockedUntil,
            j.LastError,
            j.CreatedAt,
            j.UpdatedAt,
            j.FinishedAt
        );
}

/// <summary>An adventure's world state as of a turn (<see cref="AtTurn"/> null: the newest) and the log position it was
/// read at.</summary>
public sealed record WorldStateResponse(string AdventureId, int? AtTurn, long Sequence, WorldState State);
