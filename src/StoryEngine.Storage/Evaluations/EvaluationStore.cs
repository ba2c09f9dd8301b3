using System.Text.Json;
using Dapper;
using StoryEngine.Core.Agents.Evaluation;
using StoryEngine.Core.Stories;

namespace StoryEngine.Storage.Evaluations;

/// <summary>
/// Reads <see cref="TurnEvaluated"/> events straight from the story log, newest first. It scans the events table by
/// type and time (no index of its own: an admin page reads it now and then, and an index would cost every append on the
/// turn path; docs/adr/0049-narrator-tools-and-evaluations.md).
/// </summary>
public sealed class EvaluationStore(IStorageProvider provider) : IEvaluationStore
{
    public async Task<IReadOnlyList<TurnEvaluated>> ListSinceAsync(
        DateTimeOffset since,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var payloads = await connection.QueryAsync<string>(
            new CommandDefinition(
                "SELECT payload FROM story_events WHERE type = @Type AND at >= @Since ORDER BY at DESC LIMIT @Limit",
                new
                {
                    Type = nameof(TurnEvaluated),
                    Since = since.ToUnixTimeMilliseconds(),
                    Limit = limit,
                },
                cancellationToken: cancellationToken
            )
        );
        return [.. payloads.Select(p => JsonSerializer.Deserialize<TurnEvaluated>(p, StoryEventJson.Options)!)];
    }
}
