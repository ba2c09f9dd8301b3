using System.Text.Json;
using Dapper;
using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Speech;

namespace StoryEngine.Storage.Bedtime;

/// <summary>Bedtime stories in <c>bedtime_stories</c> and <c>bedtime_chapters</c>; each chapter's audio facts come
/// from <c>speech_audio</c> (without the bytes).</summary>
public sealed class BedtimeStore(IStorageProvider provider) : IBedtimeStore
{
    private const string Columns =
        "id AS Id, owner_id AS OwnerId, title AS Title, request AS Request, status AS Status, "
        + "chapter_count AS ChapterCount, favourite AS Favourite, error AS Error, job_id AS JobId, "
        + "created_at AS CreatedAt, updated_at AS UpdatedAt, deleted_at AS DeletedAt";

    public async Task CreateAsync(BedtimeStory story, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO bedtime_stories (id, owner_id, title, child_name, age_band, theme, request, status, "
                    + "chapter_count, favourite, error, job_id, created_at, updated_at, deleted_at) VALUES (@Id, "
                    + "@OwnerId, @Title, @ChildName, @AgeBand, @Theme, @Request, @Status, @ChapterCount, 0, NULL, "
                    + "@JobId, @CreatedAt, @CreatedAt, NULL)",
                new
                {
                    story.Id,
                    story.OwnerId,
                    story.Title,
                    story.Request.ChildName,
                    story.Request.AgeBand,
                    story.Request.Theme,
                    Request = JsonSerializer.Serialize(story.Request, JsonSerializerOptions.Web),
                    story.Status,
                    story.ChapterCount,
                    story.JobId,
                    CreatedAt = story.CreatedAt.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<BedtimeStory?> GetAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<StoryRow>(
            new CommandDefinition(
                $"SELECT {Columns} FROM bedtime_stories WHERE owner_id = @OwnerId AND id = @Id",
                new { OwnerId = ownerId, Id = id },
                cancellationToken: cancellationToken
            )
        );
        if (row is null)
        {
            return null;
        }
        var chapters = await connection.QueryAsync<ChapterRow>(
            new CommandDefinition(
                "SELECT number AS Number, title AS Title, text AS Text, guard AS Guard, guard_note AS GuardNote, "
                    + "created_at AS CreatedAt FROM bedtime_chapters WHERE story_id = @Id ORDER BY number",
                new { Id = id },
                cancellationToken: cancellationToken
            )
        );
        var audio = (
            await Speech.SpeechAudioStore.ListAsync(
                connection,
                ownerId,
                AudioKinds.Bedtime,
                id + "/",
                cancellationToken
            )
        ).ToDictionary(a => a.SubjectId, a => a.Info, StringComparer.Ordinal);
        return row.ToStory(
            chapters
                .Select(c => new BedtimeChapter(
                    (int)c.Number,
                    c.Title,
                    c.Text,
                    c.Guard,
                    c.GuardNote,
                    DateTimeOffset.FromUnixTimeMilliseconds(c.CreatedAt),
                    audio.GetValueOrDefault(BedtimeStory.AudioSubjectOf(id, (int)c.Number))
                ))
                .ToArray()
        );
    }

    public async Task<IReadOnlyList<BedtimeStory>> ListAsync(
        BedtimeListQuery query,
        CancellationToken cancellationToken
    )
    {
        var where = new List<string>
        {
            "owner_id = @OwnerId",
            query.Trashed ? "deleted_at IS NOT NULL" : "deleted_at IS NULL",
        };
        if (query.AfterId is not null)
        {
            where.Add("id < @AfterId");
        }
        if (query.Favourite is { } favourite)
        {
            where.Add(favourite ? "favourite = 1" : "favourite = 0");
        }
        if (query.ChildName is not null)
        {
            where.Add("LOWER(child_name) = @Child");
        }
        if (query.Text is not null)
        {
            where.Add("(LOWER(title) LIKE @Pattern ESCAPE '\\' OR LOWER(theme) LIKE @Pattern ESCAPE '\\')");
        }
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoryRow>(
            new CommandDefinition(
                $"SELECT {Columns} FROM bedtime_stories WHERE {string.Join(" AND ", where)} ORDER BY id DESC "
                    + "LIMIT @Limit",
                new
                {
                    query.OwnerId,
                    query.AfterId,
                    Child = query.ChildName?.ToLowerInvariant(),
                    Pattern = query.Text is null ? null : "%" + Escape(query.Text.ToLowerInvariant()) + "%",
                    query.Limit,
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToStory([])).ToArray();
    }

    public async Task<bool> AddChapterAsync(
        string ownerId,
        string storyId,
        BedtimeChapter chapter,
        CancellationToken ct
    )
    {
        await using var write = await provider.OpenForWriteAsync(ct);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "INSERT INTO bedtime_chapters (story_id, number, owner_id, title, text, guard, guard_note, "
                        + "created_at) VALUES (@StoryId, @Number, @OwnerId, @Title, @Text, @Guard, @GuardNote, "
                        + "@CreatedAt) ON CONFLICT (story_id, number) DO NOTHING",
                    new
                    {
                        StoryId = storyId,
                        chapter.Number,
                        OwnerId = ownerId,
                        chapter.Title,
                        chapter.Text,
                        chapter.Guard,
                        chapter.GuardNote,
                        CreatedAt = chapter.CreatedAt.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: ct
                )
            ) > 0;
    }

    public async Task<bool> SetStatusAsync(
        string storyId,
        string status,
        string? error,
        IReadOnlyList<string> from,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE bedtime_stories SET status = @Status, error = @Error, updated_at = @Now "
                        + "WHERE id = @Id AND status "
                        + provider.Dialect.InList("From"),
                    new
                    {
                        Id = storyId,
                        Status = status,
                        Error = error,
                        From = from.ToArray(),
                        Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: cancellationToken
                )
            ) > 0;
    }

    public async Task SetJobAsync(string storyId, string jobId, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "UPDATE bedtime_stories SET job_id = @JobId WHERE id = @Id",
                new { Id = storyId, JobId = jobId },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<bool> UpdateAsync(string ownerId, string id, string? title, bool? favourite, CancellationToken ct)
    {
        await using var write = await provider.OpenForWriteAsync(ct);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE bedtime_stories SET title = COALESCE(@Title, title), "
                        + "favourite = COALESCE(@Favourite, favourite), updated_at = @Now "
                        + "WHERE owner_id = @OwnerId AND id = @Id AND deleted_at IS NULL",
                    new
                    {
                        OwnerId = ownerId,
                        Id = id,
                        Title = title,
                        Favourite = favourite is null ? (int?)null
                        : favourite.Value ? 1
                        : 0,
                        Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: ct
                )
            ) > 0;
    }

    public async Task<bool> SetDeletedAsync(string ownerId, string id, DateTimeOffset? deletedAt, CancellationToken ct)
    {
        await using var write = await provider.OpenForWriteAsync(ct);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE bedtime_stories SET deleted_at = @DeletedAt WHERE owner_id = @OwnerId AND id = @Id AND "
                        + (deletedAt is null ? "deleted_at IS NOT NULL" : "deleted_at IS NULL"),
                    new
                    {
                        OwnerId = ownerId,
                        Id = id,
                        DeletedAt = deletedAt?.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: ct
                )
            ) > 0;
    }

    public async Task PurgeAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await using var transaction = await write.Connection.BeginTransactionAsync(cancellationToken);
        await DeleteAsync(
            write,
            transaction,
            "owner_id = @OwnerId AND id = @Id",
            new { OwnerId = ownerId, Id = id },
            cancellationToken
        );
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<int> PurgeTrashedAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await using var transaction = await write.Connection.BeginTransactionAsync(cancellationToken);
        var purged = await DeleteAsync(
            write,
            transaction,
            "deleted_at IS NOT NULL AND deleted_at < @Before",
            new { Before = before.ToUnixTimeMilliseconds() },
            cancellationToken
        );
        await transaction.CommitAsync(cancellationToken);
        return purged;
    }

    // The story's audio and chapters go with it: audio by subject prefix, chapters by story.
    private static async Task<int> DeleteAsync(
        WriteSession write,
        System.Data.Common.DbTransaction transaction,
        string storyFilter,
        object parameters,
        CancellationToken cancellationToken
    )
    {
        var ids = (
            await write.Connection.QueryAsync<string>(
                new CommandDefinition(
                    $"SELECT id FROM bedtime_stories WHERE {storyFilter}",
                    parameters,
                    transaction,
                    cancellationToken: cancellationToken
                )
            )
        ).ToArray();
        foreach (var id in ids)
        {
            foreach (
                var sql in (string[])
                    [
                        "DELETE FROM speech_audio WHERE kind = 'bedtime' AND subject_id LIKE @Prefix",
                        "DELETE FROM bedtime_chapters WHERE story_id = @Id",
                        "DELETE FROM bedtime_stories WHERE id = @Id",
                    ]
            )
            {
                await write.Connection.ExecuteAsync(
                    new CommandDefinition(
                        sql,
                        new { Id = id, Prefix = id + "/%" },
                        transaction,
                        cancellationToken: cancellationToken
                    )
                );
            }
        }
        return ids.Length;
    }

    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);

    private sealed class StoryRow
    {
        public string Id { get; init; } = "";
        public string OwnerId { get; init; } = "";
        public string Title { get; init; } = "";
        public string Request { get; init; } = "";
        public string Status { get; init; } = "";
        public long ChapterCount { get; init; }
        public long Favourite { get; init; }
        public string? Error { get; init; }
        public string? JobId { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
        public long? DeletedAt { get; init; }

        public BedtimeStory ToStory(IReadOnlyList<BedtimeChapter> chapters) =>
            new(
                Id,
                OwnerId,
                Title,
                JsonSerializer.Deserialize<BedtimeRequest>(Request, JsonSerializerOptions.Web)!,
                Status,
                (int)ChapterCount,
                Favourite != 0,
                Error,
                JobId,
                DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
                DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt),
                DeletedAt is { } deleted ? DateTimeOffset.FromUnixTimeMilliseconds(deleted) : null,
                chapters
            );
    }

    private sealed class ChapterRow
    {
        public long Number { get; init; }
        public string Title { get; init; } = "";
        public string Text { get; init; } = "";
        public string Guard { get; init; } = "";
        public string? GuardNote { get; init; }
        public long CreatedAt { get; init; }
    }
}
