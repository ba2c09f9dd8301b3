namespace StoryEngine.Core.Adventures;

/// <summary>
/// A story being played in a world. Its history is the story log (<see cref="Stories.StoryEvent"/>); this is the
/// small header the lists show. <see cref="LastSequence"/> is the sequence of its newest event.
/// </summary>
public sealed record Adventure(
    string Id,
    string OwnerId,
    string WorldId,
    string Title,
    string? PersonaId,
    IReadOnlyList<string> CharacterIds,
    string? StartLocationId,
    string? ForkedFromId,
    string? ForkedAtTurnId,
    long LastSequence,
    int TurnCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt
)
{
    /// <summary>Author's note, memory and generation settings; changed only by <see
    /// cref="Stories.AdventureSettingsChanged"/>.</summary>
    public AdventureSettings Settings { get; init; } = AdventureSettings.None;
}

public interface IAdventureStore
{
    Task<Adventure?> GetAsync(string ownerId, string id, CancellationToken cancellationToken);

    /// <summary>
    /// The adventure with its newest standing turn and the turn <paramref name="turnId"/> names (when given), in one
    /// round trip and one snapshot: what a turn operation decides on. Null when the owner has no such adventure.
    /// </summary>
    Task<Stories.TurnState?> GetTurnStateAsync(
        string ownerId,
        string id,
        string? turnId,
        CancellationToken cancellationToken
    );

    /// <summary>Newest first, keyset-paged by id.</summary>
    Task<Resources.Page<Adventure>> ListAsync(
        string ownerId,
        Resources.ListQuery query,
        CancellationToken cancellationToken
    );

    /// <summary>The owner's <paramref name="limit"/> adventures with the newest activity (a turn, an edit, a settings
    /// change), newest first, out of all of them.</summary>
    Task<IReadOnlyList<Adventure>> ListRecentAsync(string ownerId, int limit, CancellationToken cancellationToken);

    /// <summary>Removes the adventure and its whole story log; 0 when there was nothing of this owner's to
    /// remove.</summary>
    Task<int> DeleteAsync(string ownerId, string id, CancellationToken cancellationToken);
}
