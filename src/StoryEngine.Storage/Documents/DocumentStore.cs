using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using StoryEngine.Core.Images;
using StoryEngine.Core.Resources;
using StoryEngine.Storage.Images;

namespace StoryEngine.Storage.Documents;

/// <summary>
/// Stores one kind of world data as JSON documents in a table of the shared shape (see the 0001 migrations),
/// with the SQL both engines accept. Every statement is filtered by owner, and by parent where there is one.
/// </summary>
/// <param name="picture">The kind of picture this kind's rows have (an avatar, a cover), if any: summaries then carry
/// its hash, read in the same query.</param>
public sealed class DocumentStore<TBody>(
    IStorageProvider provider,
    string table,
    string? parentTable = null,
    PictureKind? picture = null
) : IResourceStore<TBody>
    where TBody : class, IResourceBody<TBody>
{
    // A row written before the summary column existed (migration 0015) has none: its body is read instead, once.
    // The picture's hash comes from the images table's primary key (kind, subject_id) in the same statement.
    private readonly string SummaryColumns =
        "id AS Id, parent_id AS ParentId, name AS Name, summary AS Summary, CASE WHEN summary IS NULL THEN body END "
        + "AS Body, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt, deleted_at AS DeletedAt, "
        + (
            picture is { } kind
                ? $"(SELECT i.hash FROM images i WHERE i.kind = '{ImageStore.Name(kind)}' "
                    + $"AND i.subject_id = {table}.id AND i.owner_id = {table}.owner_id) AS PictureHash"
                : "NULL AS PictureHash"
        );

    private const string Columns =
        "id AS Id, owner_id AS OwnerId, parent_id AS ParentId, body AS Body, version AS "
        + "Version, created_at AS CreatedAt, updated_at AS UpdatedAt, deleted_at AS DeletedAt";

    public async Task<StoredResource<TBody>?> GetAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        // Rows inside a parent are only visible while the parent is live; checking it in the same query saves
        // the hot path (GET one character) a second round trip.
        var sql = parentTable is null
            ? $"SELECT {Columns} FROM {table} WHERE id = @Id AND {ScopeFilter(scope)}"
            : $"SELECT {Columns} FROM {table} WHERE id = @Id AND {ScopeFilter(scope)} AND EXISTS (SELECT 1 FROM "
                + $"{parentTable} p WHERE p.id = {table}.parent_id AND p.deleted_at IS NULL)";
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(
                sql,
                new
                {
                    Id = id,
                    scope.OwnerId,
                    scope.ParentId,
                },
                cancellationToken: cancellationToken
            )
        );
        return row?.ToResource();
    }

    public async Task<bool> ExistsAsync(ResourceScope scope, string id, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var sql = parentTable is null
            ? $"SELECT 1 FROM {table} WHERE id = @Id AND {ScopeFilter(scope)} AND deleted_at IS NULL"
            : $"SELECT 1 FROM {table} WHERE id = @Id AND {ScopeFilter(scope)} AND deleted_at IS NULL AND EXISTS "
                + $"(SELECT 1 FROM {parentTable} p WHERE p.id = {table}.parent_id AND p.deleted_at IS NULL)";
        return await connection.ExecuteScalarAsync<int?>(
            new CommandDefinition(
                sql,
                new
                {
                    Id = id,
                    scope.OwnerId,
                    scope.ParentId,
                },
                cancellationToken: cancellationToken
            )
        )
            is not null;
    }

    public async Task<Page<StoredResource<TBody>>> ListAsync(
        ResourceScope scope,
        ListQuery query,
        bool deleted,
        CancellationToken cancellationToken
    )
    {
        var (sql, parameters) = ListSql(Columns, scope, query, deleted);
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = (
            await connection.QueryAsync<Row>(
                new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)
            )
        ).ToList();
        var hasMore = rows.Count > query.Limit;
        var items = rows.Take(query.Limit).Select(r => r.ToResource()).ToArray();
        return new Page<StoredResource<TBody>>(items, hasMore ? Cursor.Encode(items[^1].Id) : null);
    }

    public async Task<Page<ResourceSummary>> ListSummariesAsync(
        ResourceScope scope,
        ListQuery query,
        bool deleted,
        CancellationToken cancellationToken
    )
    {
        var (sql, parameters) = ListSql(SummaryColumns, scope, query, deleted);
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = (
            await connection.QueryAsync<SummaryRow>(
                new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)
            )
        ).ToList();
        var hasMore = rows.Count > query.Limit;
        var items = rows.Take(query.Limit).Select(r => r.ToSummary()).ToArray();
        return new Page<ResourceSummary>(items, hasMore ? Cursor.Encode(items[^1].Id) : null);
    }

    private (string Sql, DynamicParameters Parameters) ListSql(
        string columns,
        ResourceScope scope,
        ListQuery query,
        bool deleted
    )
    {
        var sql = new StringBuilder($"SELECT {columns} FROM {table} WHERE {ScopeFilter(scope)}");
        sql.Append(deleted ? " AND deleted_at IS NOT NULL" : " AND deleted_at IS NULL");
        if (parentTable is not null && scope.ParentId is not null)
        {
            // A page inside a parent shows only while the caller's parent is live, checked once in the same statement:
            // the service looks at the parent itself only to explain an empty page (one connection per list).
            sql.Append(
                $" AND EXISTS (SELECT 1 FROM {parentTable} p WHERE p.id = @ParentId AND p.owner_id = @OwnerId "
                    + "AND p.deleted_at IS NULL)"
            );
        }
        var parameters = new DynamicParameters(
            new
            {
                scope.OwnerId,
                scope.ParentId,
                Take = query.Limit + 1,
            }
        );
        if (query.AfterId is not null)
        {
            sql.Append(" AND id > @AfterId");
            parameters.Add("AfterId", query.AfterId);
        }
        if (query.Text is not null)
        {
            sql.Append(@" AND search LIKE @Text ESCAPE '\'");
            parameters.Add("Text", $"%{EscapeLike(query.Text.ToLowerInvariant())}%");
        }
        for (var i = 0; i < query.Tags.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $@" AND tags LIKE @Tag{i} ESCAPE '\'");
            parameters.Add($"Tag{i}", $"%|{EscapeLike(query.Tags[i].ToLowerInvariant())}|%");
        }
        sql.Append(" ORDER BY id LIMIT @Take");
        return (sql.ToString(), parameters);
    }

    public async Task<IReadOnlyList<StoredResource<TBody>>> ListAllAsync(
        ResourceScope scope,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                $"SELECT {Columns} FROM {table} WHERE {ScopeFilter(scope)} AND deleted_at IS NULL ORDER BY id",
                new { scope.OwnerId, scope.ParentId },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToResource()).ToArray();
    }

    public async Task InsertAsync(StoredResource<TBody> resource, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(
            new CommandDefinition(
                $"""
                INSERT INTO {table} (id, owner_id, parent_id, name, search, tags, body, summary, version, created_at,
                updated_at, deleted_at)
                VALUES (@Id, @OwnerId, @ParentId, @Name, @Search, @Tags, @Body, @Summary, @Version, @CreatedAt,
                @UpdatedAt, @DeletedAt)
                """,
                Parameters(resource),
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<bool> UpdateAsync(
        StoredResource<TBody> resource,
        long expectedVersion,
        CancellationToken cancellationToken
    )
    {
        var parameters = Parameters(resource);
        parameters.Add("ExpectedVersion", expectedVersion);
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var changed = await connection.ExecuteAsync(
            new CommandDefinition(
                $"""
                UPDATE {table} SET name = @Name, search = @Search, tags = @Tags, body = @Body, summary = @Summary,
                    version = @Version,
                    updated_at = @UpdatedAt, deleted_at = @DeletedAt
                WHERE id = @Id AND owner_id = @OwnerId AND version = @ExpectedVersion
                """,
                parameters,
                cancellationToken: cancellationToken
            )
        );
        return changed == 1;
    }

    public async Task<int> PurgeDeletedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var purged = await connection.ExecuteAsync(
            new CommandDefinition(
                $"DELETE FROM {table} WHERE deleted_at IS NOT NULL AND deleted_at < @Cutoff",
                new { Cutoff = cutoff.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
        if (parentTable is not null)
        {
            purged += await connection.ExecuteAsync(
                new CommandDefinition(
                    $"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM {parentTable} p WHERE p.id = "
                        + $"{table}.parent_id)",
                    cancellationToken: cancellationToken
                )
            );
        }
        return purged;
    }

    // Built per call rather than with "@ParentId IS NULL": PostgreSQL cannot type an untyped null parameter.
    private static string ScopeFilter(ResourceScope scope) =>
        scope.ParentId is null
            ? "owner_id = @OwnerId AND parent_id IS " + "NULL"
            : "owner_id = @OwnerId AND " + "parent_id = @ParentId";

    private static DynamicParameters Parameters(StoredResource<TBody> r)
    {
        var body = (IResourceBody<TBody>)r.Body;
        return new DynamicParameters(
            new
            {
                r.Id,
                r.OwnerId,
                r.ParentId,
                body.Name,
                Search = body.SearchText,
                Tags = "|" + string.Concat(body.Tags.Select(t => t.ToLowerInvariant() + "|")),
                Body = JsonSerializer.Serialize(r.Body, StorageJson.Options),
                Summary = JsonSerializer.Serialize(
                    new SummaryJson(body.Tags, ResourceSummary.Shorten(body.Description)),
                    StorageJson.Options
                ),
                r.Version,
                CreatedAt = r.CreatedAt.ToUnixTimeMilliseconds(),
                UpdatedAt = r.UpdatedAt.ToUnixTimeMilliseconds(),
                DeletedAt = r.DeletedAt?.ToUnixTimeMilliseconds(),
            }
        );
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string OwnerId { get; init; } = "";
        public string? ParentId { get; init; }
        public string Body { get; init; } = "";
        public long Version { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
        public long? DeletedAt { get; init; }

        public StoredResource<TBody> ToResource() =>
            new(
                Id,
                OwnerId,
                ParentId,
                JsonSerializer.Deserialize<TBody>(Body, StorageJson.Options)!,
                Version,
                DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
                DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt),
                DeletedAt is { } d ? DateTimeOffset.FromUnixTimeMilliseconds(d) : null
            );
    }

    /// <summary>The summary column: what a list shows beyond the name (tags keep their case here; the tags column is
    /// lower-cased for matching).</summary>
    private sealed record SummaryJson(IReadOnlyList<string> Tags, string Description)
    {
        /// <summary>
        /// Reads the column as written above. A list page reads fifty of these per request, and
        /// <see cref="JsonSerializer"/> cost about an eighth of the list endpoint's CPU for them (issue 19's profile
        /// under wrk, 2026-12-07); a <see cref="Utf8JsonReader"/> pass does the same in about half the time with half
        /// the allocations. Unknown properties are skipped; a missing one reads as empty.
        /// </summary>
        public static SummaryJson Parse(string json)
        {
            var max = Encoding.UTF8.GetMaxByteCount(json.Length);
            byte[]? rented = null;
            Span<byte> buffer = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
            try
            {
                var reader = new Utf8JsonReader(buffer[..Encoding.UTF8.GetBytes(json, buffer)]);
                var tags = new List<string>();
                var description = "";
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("tags"u8))
                    {
                        reader.Read();
                        while (reader.TokenType == JsonTokenType.StartArray || reader.TokenType == JsonTokenType.String)
                        {
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                tags.Add(reader.GetString()!);
                            }
                        }
                    }
                    else if (reader.ValueTextEquals("description"u8))
                    {
                        reader.Read();
                        description = reader.GetString() ?? "";
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
                return new SummaryJson(tags, description);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
    }

    private sealed class SummaryRow
    {
        public string Id { get; init; } = "";
        public string? ParentId { get; init; }
        public string Name { get; init; } = "";
        public string? Summary { get; init; }
        public string? Body { get; init; }
        public long Version { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
        public long? DeletedAt { get; init; }
        public string? PictureHash { get; init; }

        public ResourceSummary ToSummary()
        {
            var (tags, description) = Summary is not null
                ? SummaryJson.Parse(Summary)
                : FromBody(JsonSerializer.Deserialize<TBody>(Body!, StorageJson.Options)!);
            return new(
                Id,
                ParentId,
                Name,
                tags,
                description,
                Version,
                DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
                DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt),
                DeletedAt is { } d ? DateTimeOffset.FromUnixTimeMilliseconds(d) : null
            )
            {
                PictureHash = PictureHash,
            };
        }

        private static SummaryJson FromBody(TBody body) => new(body.Tags, ResourceSummary.Shorten(body.Description));
    }
}
