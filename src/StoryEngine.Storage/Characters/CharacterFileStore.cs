using Dapper;
using StoryEngine.Core.Characters;

namespace StoryEngine.Storage.Characters;

/// <summary>Card files in <c>character_files</c>, one row per file, written and replaced as a set in one
/// transaction.</summary>
public sealed class CharacterFileStore(IStorageProvider provider) : ICharacterFileStore
{
    public async Task ReplaceAllAsync(
        string ownerId,
        string characterId,
        IReadOnlyList<CharacterFile> files,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM character_files WHERE character_id = @CharacterId AND owner_id = @OwnerId",
                new { CharacterId = characterId, OwnerId = ownerId },
                transaction,
                cancellationToken: cancellationToken
            )
        );
        foreach (var file in files)
        {
            await connection.ExecuteAsync(
                new CommandDefinition(
                    "INSERT INTO character_files (character_id, owner_id, path, media_type, data) VALUES "
                        + "(@CharacterId, "
                        + "@OwnerId, @Path, @MediaType, @Data)",
                    new
                    {
                        CharacterId = characterId,
                        OwnerId = ownerId,
                        file.Path,
                        file.MediaType,
                        file.Data,
                    },
                    transaction,
                    cancellationToken: cancellationToken
                )
            );
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task PutAsync(
        string ownerId,
        string characterId,
        CharacterFile file,
        CancellationToken cancellationToken
    )
    {
        await RemoveAsync(ownerId, characterId, file.Path, cancellationToken);
        await using var connection = await provider.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO character_files (character_id, owner_id, path, media_type, data) VALUES "
                    + "(@CharacterId, @OwnerId, @Path, @MediaType, @Data)",
                new
                {
                    CharacterId = characterId,
                    OwnerId = ownerId,
                    file.Path,
                    file.MediaType,
                    file.Data,
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task RemoveAsync(string ownerId, string characterId, string path, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM character_files WHERE character_id = @CharacterId AND owner_id = @OwnerId "
                    + "AND path = @Path",
                new
                {
                    CharacterId = characterId,
                    OwnerId = ownerId,
                    Path = path,
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<IReadOnlyList<CharacterFile>> ListAsync(
        string ownerId,
        string characterId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                "SELECT path AS Path, media_type AS MediaType, data AS Data FROM character_files WHERE character_id = "
                    + "@CharacterId AND owner_id = @OwnerId ORDER BY path",
                new { CharacterId = characterId, OwnerId = ownerId },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => new CharacterFile(r.Path, r.MediaType, r.Data)).ToArray();
    }

    public async Task<int> PurgeOrphansAsync(CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM character_files WHERE NOT EXISTS (SELECT 1 FROM characters c WHERE c.id = "
                    + "character_files.character_id)",
                cancellationToken: cancellationToken
            )
        );
    }

    private sealed class Row
    {
        public string Path { get; init; } = "";
        public string MediaType { get; init; } = "";
        public byte[] Data { get; init; } = [];
    }
}
