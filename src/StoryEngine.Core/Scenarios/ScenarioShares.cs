namespace StoryEngine.Core.Scenarios;

/// <summary>A share link of a scenario. The token itself is shown once; only its SHA-256 is stored.</summary>
public sealed record ScenarioShare(
    string Id,
    string TokenHash,
    string ScenarioId,
    string OwnerId,
    string? PasswordHash,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset CreatedAt
);

public interface IScenarioShareStore
{
    Task InsertAsync(ScenarioShare share, CancellationToken cancellationToken);

    Task<ScenarioShare?> FindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<ScenarioShare>> ListAsync(
        string ownerId,
        string scenarioId,
        CancellationToken cancellationToken
    );

    /// <summary>False when the owner has no such live link.</summary>
    Task<bool> RevokeAsync(string ownerId, string id, DateTimeOffset at, CancellationToken cancellationToken);
}
