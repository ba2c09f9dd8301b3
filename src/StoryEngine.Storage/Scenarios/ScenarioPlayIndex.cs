using Dapper;
using StoryEngine.Core.Scenarios;

namespace StoryEngine.Storage.Scenarios;

/// <summary>Finds the adventures whose log starts a scenario: the <c>ScenarioStarted</c> events of the owner's
/// adventures that name it.</summary>
public sealed class ScenarioPlayIndex(IStorageProvider provider) : IScenarioPlayIndex
{
    public async Task<IReadOnlyList<string>> AdventuresPlayingAsync(
        string ownerId,
        string scenarioId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var ids = await connection.QueryAsync<string>(
            new CommandDefinition(
                "SELECT e.adventure_id FROM story_events e JOIN adventures a ON a.id = e.adventure_id "
                    + "WHERE a.owner_id = @OwnerId AND e.type = 'ScenarioStarted' AND e.payload LIKE @Pattern "
                    + "ORDER BY e.adventure_id",
                new { OwnerId = ownerId, Pattern = $"%\"scenarioId\":\"{Literal(scenarioId)}\"%" },
                cancellationToken: cancellationToken
            )
        );
        return [.. ids];
    }

    // Ids are UUIDs; anything LIKE would read as a wildcard is dropped rather than escaped (no id has one).
    private static string Literal(string id) =>
        id.Replace("%", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
}
