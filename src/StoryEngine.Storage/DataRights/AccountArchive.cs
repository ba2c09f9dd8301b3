using System.Data.Common;
using System.Text.Json;
using Dapper;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.DataRights;

namespace StoryEngine.Storage.DataRights;

/// <summary>
/// The export of <c>GET /api/v1/me/export</c>: one JSON document written straight to the response as rows are read,
/// a page at a time (keyset pages of <see cref="PageSize"/>), so a large account never sits in memory whole.
/// Stored JSON (bodies, event payloads) is copied in as JSON, not as strings.
/// </summary>
public sealed class AccountArchive(IStorageProvider provider) : IAccountArchive
{
    public const int FormatVersion = 1;
    private const int PageSize = 200;

    private static readonly (string Property, string Table)[] Documents =
    [
        ("worlds", "worlds"),
        ("locations", "locations"),
        ("characters", "characters"),
        ("personas", "personas"),
        ("presets", "presets"),
        ("lorebooks", "lorebooks"),
        ("characterLorebooks", "character_lorebooks"),
        ("documents", "knowledge_documents"),
        ("scenarios", "scenarios"),
    ];

    public async Task WriteAsync(User user, Stream output, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        await using var connection = await provider.OpenAsync(cancellationToken);
        json.WriteStartObject();
        json.WriteString("format", "storyengine-account-export");
        json.WriteNumber("version", FormatVersion);
        json.WriteString("exportedAt", DateTimeOffset.UtcNow);

        json.WriteStartObject("profile");
        json.WriteString("id", user.Id);
        json.WriteString("username", user.Username);
        json.WriteString("role", user.Role);
        json.WriteString("createdAt", user.CreatedAt);
        WriteTime(json, "disabledAt", user.DisabledAt?.ToUnixTimeMilliseconds());
        json.WriteString("tier", user.Tier);
        WriteNumber(json, "dailyTokenQuota", user.DailyTokenQuota);
        WriteNumber(json, "monthlyTokenQuota", user.MonthlyTokenQuota);
        json.WriteEndObject();

        foreach (var (property, table) in Documents)
        {
            await WritePagesAsync(
                json,
                output,
                property,
                connection,
                "SELECT id AS Id, parent_id AS ParentId, name AS Name, tags AS Tags, body AS Body, version AS "
                    + "Version, created_at AS CreatedAt, "
                    + $"updated_at AS UpdatedAt, deleted_at AS DeletedAt FROM {table} WHERE owner_id = @Owner AND id > "
                    + "@After ORDER BY id",
                user.Id,
                (DocumentRow r) => r.Id,
                (w, r) =>
                {
                    w.WriteString("id", r.Id);
                    w.WriteString("parentId", r.ParentId);
                    w.WriteString("name", r.Name);
                    w.WriteStartArray("tags");
                    foreach (var tag in r.Tags.Split('|', StringSplitOptions.RemoveEmptyEntries))
                    {
                        w.WriteStringValue(tag);
                    }
                    w.WriteEndArray();
                    w.WriteNumber("version", r.Version);
                    WriteTime(w, "createdAt", r.CreatedAt);
                    WriteTime(w, "updatedAt", r.UpdatedAt);
                    WriteTime(w, "deletedAt", r.DeletedAt);
                    WriteJson(w, "body", r.Body);
                },
                cancellationToken
            );
        }

        await WritePagesAsync(
            json,
            output,
            "characterFiles",
            connection,
            "SELECT character_id || '/' || path AS Key, character_id AS CharacterId, path AS Path, media_type AS "
                + "MediaType, data AS Data "
                + "FROM character_files WHERE owner_id = @Owner AND character_id || '/' || path > @After ORDER BY "
                + "character_id || '/' || path",
            user.Id,
            (FileRow r) => r.Key,
            (w, r) =>
            {
                w.WriteString("characterId", r.CharacterId);
                w.WriteString("path", r.Path);
                w.WriteString("mediaType", r.MediaType);
                w.WriteBase64String("data", r.Data);
            },
            cancellationToken,
            pageSize: 20
        ); // files can be large: fewer to a page

        // World documents' originals (issue 20), as uploaded; their passages are derived from them and not exported.
        await WritePagesAsync(
            json,
            output,
            "documentFiles",
            connection,
            "SELECT document_id AS Key, media_type AS MediaType, content AS Data FROM knowledge_originals "
                + "WHERE owner_id = @Owner AND document_id > @After ORDER BY document_id",
            user.Id,
            (DocumentFileRow r) => r.Key,
            (w, r) =>
            {
                w.WriteString("documentId", r.Key);
                w.WriteString("mediaType", r.MediaType);
                w.WriteBase64String("data", r.Data);
            },
            cancellationToken,
            pageSize: 20
        );

        // Avatars and covers (issues 17, 18): as stored, so the export holds every picture the account has.
        await WritePagesAsync(
            json,
            output,
            "images",
            connection,
            "SELECT kind || '/' || subject_id AS Key, kind AS Kind, subject_id AS SubjectId, media_type AS MediaType, "
                + "width AS Width, height AS Height, data AS Data FROM images "
                + "WHERE owner_id = @Owner AND kind || '/' || subject_id > @After ORDER BY kind || '/' || subject_id",
            user.Id,
            (ImageRow r) => r.Key,
            (w, r) =>
            {
                w.WriteString("kind", r.Kind);
                w.WriteString("subjectId", r.SubjectId);
                w.WriteString("mediaType", r.MediaType);
                w.WriteNumber("width", r.Width);
                w.WriteNumber("height", r.Height);
                w.WriteBase64String("data", r.Data);
            },
            cancellationToken,
            pageSize: 20
        );

        // Bedtime stories (issue 25): each with the request it was written from, its chapters, then their audio.
        await WritePagesAsync(
            json,
            output,
            "bedtimeStories",
            connection,
            "SELECT id AS Key, title AS Title, request AS Request, status AS Status, favourite AS Favourite, "
                + "created_at AS CreatedAt, deleted_at AS DeletedAt FROM bedtime_stories "
                + "WHERE owner_id = @Owner AND id > @After ORDER BY id",
            user.Id,
            (BedtimeRow r) => r.Key,
            (w, r) =>
            {
                w.WriteString("id", r.Key);
                w.WriteString("title", r.Title);
                w.WritePropertyName("request");
                using (var request = JsonDocument.Parse(r.Request))
                {
                    request.RootElement.WriteTo(w);
                }
                w.WriteString("status", r.Status);
                w.WriteBoolean("favourite", r.Favourite != 0);
                WriteTime(w, "createdAt", r.CreatedAt);
                WriteTime(w, "deletedAt", r.DeletedAt);
            },
            cancellationToken
        );
        await WritePagesAsync(
            json,
            output,
            "bedtimeChapters",
            connection,
            // number + 100: three digits for every chapter (at most 12), so the key sorts as the chapters do.
            "SELECT story_id || '/' || CAST(number + 100 AS TEXT) AS Key, story_id AS StoryId, number AS Number, "
                + "title AS Title, text AS Text, guard AS Guard, guard_note AS GuardNote FROM bedtime_chapters "
                + "WHERE owner_id = @Owner AND story_id || '/' || CAST(number + 100 AS TEXT) > @After "
                + "ORDER BY story_id || '/' || CAST(number + 100 AS TEXT)",
            user.Id,
            (BedtimeChapterRow r) => r.Key,
            (w, r) =>
            {
                w.WriteString("storyId", r.StoryId);
                w.WriteNumber("number", r.Number);
                w.WriteString("title", r.Title);
                w.WriteString("text", r.Text);
                w.WriteString("guard", r.Guard);
                w.WriteString("guardNote", r.GuardNote);
            },
            cancellationToken
        );
        await WritePagesAsync(
            json,
            output,
            "speechAudio",
            connection,
            "SELECT kind || '/' || subject_id AS Key, kind AS Kind, subject_id AS SubjectId, media_type AS MediaType, "
                + "duration_ms AS DurationMs, voice AS Voice, data AS Data FROM speech_audio "
                + "WHERE owner_id = @Owner AND kind || '/' || subject_id > @After ORDER BY kind || '/' || subject_id",
            user.Id,
            (AudioRow r) => r.Key,
            (w, r) =>
            {
                w.WriteString("kind", r.Kind);
                w.WriteString("subjectId", r.SubjectId);
                w.WriteString("mediaType", r.MediaType);
                w.WriteNumber("durationMs", r.DurationMs);
                w.WriteString("voice", r.Voice);
                w.WriteBase64String("data", r.Data);
            },
            cancellationToken,
            pageSize: 20
        );

        await WriteAdventuresAsync(json, output, connection, user.Id, cancellationToken);

        await WritePagesAsync(
            json,
            output,
            "sessions",
            connection,
            "SELECT id AS Id, created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt, "
                + "last_used_at AS LastUsedAt, "
                + "user_agent AS UserAgent, ip AS Ip FROM user_sessions WHERE user_id = @Owner AND id > @After "
                + "ORDER BY id",
            user.Id,
            (SessionRow r) => r.Id,
            (w, r) =>
            {
                w.WriteString("id", r.Id);
                WriteTime(w, "createdAt", r.CreatedAt);
                WriteTime(w, "expiresAt", r.ExpiresAt);
                WriteTime(w, "revokedAt", r.RevokedAt);
                WriteTime(w, "lastUsedAt", r.LastUsedAt);
                w.WriteString("userAgent", r.UserAgent);
                w.WriteString("ip", r.Ip);
            },
            cancellationToken
        );

        // What the keys are, never what they are: no hash, no secret.
        await WritePagesAsync(
            json,
            output,
            "apiKeys",
            connection,
            "SELECT id AS Id, public_id AS PublicId, name AS Name, scopes AS Scopes, created_at AS CreatedAt, "
                + "expires_at AS ExpiresAt, "
                + "last_used_at AS LastUsedAt, revoked_at AS RevokedAt FROM api_keys WHERE user_id = @Owner AND id > "
                + "@After ORDER BY id",
            user.Id,
            (ApiKeyRow r) => r.Id,
            (w, r) =>
            {
                w.WriteString("id", r.Id);
                w.WriteString("prefix", $"se_{r.PublicId}_");
                w.WriteString("name", r.Name);
                w.WriteStartArray("scopes");
                foreach (var scope in r.Scopes.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
                {
                    w.WriteStringValue(scope);
                }
                w.WriteEndArray();
                WriteTime(w, "createdAt", r.CreatedAt);
                WriteTime(w, "expiresAt", r.ExpiresAt);
                WriteTime(w, "lastUsedAt", r.LastUsedAt);
                WriteTime(w, "revokedAt", r.RevokedAt);
            },
            cancellationToken
        );

        await WriteTwoFactorAsync(json, connection, user.Id, cancellationToken);

        await WritePagesAsync(
            json,
            output,
            "usage",
            connection,
            "SELECT id AS Id, adventure_id AS AdventureId, purpose AS Purpose, backend AS Backend, model AS Model, "
                + "prompt_tokens AS PromptTokens, "
                + $"completion_tokens AS CompletionTokens, estimated AS Estimated, cost_micros AS CostMicros, at AS At "
                + $"FROM usage_ledger WHERE user_id = @Owner AND id > @After ORDER BY id",
            user.Id,
            (UsageRow r) => r.Id,
            (w, r) =>
            {
                w.WriteString("id", r.Id);
                WriteTime(w, "at", r.At);
                w.WriteString("purpose", r.Purpose);
                w.WriteString("adventureId", r.AdventureId);
                w.WriteString("backend", r.Backend);
                w.WriteString("model", r.Model);
                w.WriteNumber("promptTokens", r.PromptTokens);
                w.WriteNumber("completionTokens", r.CompletionTokens);
                w.WriteBoolean("estimated", r.Estimated != 0);
                w.WriteNumber("cost", r.CostMicros / 1_000_000m);
            },
            cancellationToken
        );

        await WritePagesAsync(
            json,
            output,
            "audit",
            connection,
            "SELECT id AS Id, at AS At, action AS Action, actor_id AS ActorId, ip AS Ip, user_agent AS UserAgent, "
                + "detail AS Detail "
                + $"FROM audit_log WHERE (user_id = @Owner OR actor_id = @Owner) AND id > @After ORDER BY id",
            user.Id,
            (AuditRow r) => r.Id,
            (w, r) =>
            {
                w.WriteString("id", r.Id);
                WriteTime(w, "at", r.At);
                w.WriteString("action", r.Action);
                w.WriteString("actorId", r.ActorId);
                w.WriteString("ip", r.Ip);
                w.WriteString("userAgent", r.UserAgent);
                w.WriteString("detail", r.Detail);
            },
            cancellationToken
        );

        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    // Whether two-factor sign-in is on and how many recovery codes are left; the secret and the codes stay behind.
    private static async Task WriteTwoFactorAsync(
        Utf8JsonWriter json,
        DbConnection connection,
        string ownerId,
        CancellationToken cancellationToken
    )
    {
        var row = await connection.QuerySingleOrDefaultAsync<TwoFactorRow>(
            new CommandDefinition(
                "SELECT t.created_at AS CreatedAt, t.enabled_at AS EnabledAt, "
                    + "(SELECT COUNT(*) FROM user_recovery_codes c WHERE c.user_id = t.user_id AND c.used_at IS "
                    + "NULL) AS "
                    + "RecoveryCodesLeft "
                    + "FROM user_two_factor t WHERE t.user_id = "
                    + "@Owner",
                new { Owner = ownerId },
                cancellationToken: cancellationToken
            )
        );
        json.WriteStartObject("twoFactor");
        json.WriteBoolean("enabled", row?.EnabledAt is not null);
        WriteTime(json, "enabledAt", row?.EnabledAt);
        json.WriteNumber("recoveryCodesLeft", row?.EnabledAt is null ? 0 : row.RecoveryCodesLeft);
        json.WriteEndObject();
    }

    private static async Task WriteAdventuresAsync(
        Utf8JsonWriter json,
        Stream output,
        DbConnection connection,
        string ownerId,
        CancellationToken cancellationToken
    )
    {
        json.WriteStartArray("adventures");
        var after = "";
        while (true)
        {
            var page = (
                await connection.QueryAsync<AdventureRow>(
                    new CommandDefinition(
                        "SELECT id AS Id, world_id AS WorldId, title AS Title, body AS Body, turn_count AS TurnCount, "
                            + "created_at AS CreatedAt, updated_at AS UpdatedAt "
                            + $"FROM adventures WHERE owner_id = @Owner AND id > @After ORDER BY id LIMIT {PageSize}",
                        new { Owner = ownerId, After = after },
                        cancellationToken: cancellationToken
                    )
                )
            ).ToList();
            foreach (var adventure in page)
            {
                json.WriteStartObject();
                json.WriteString("id", adventure.Id);
                json.WriteString("worldId", adventure.WorldId);
                json.WriteString("title", adventure.Title);
                json.WriteNumber("turnCount", adventure.TurnCount);
                WriteTime(json, "createdAt", adventure.CreatedAt);
                WriteTime(json, "updatedAt", adventure.UpdatedAt);
                WriteJson(json, "body", adventure.Body);
                // The full story log: every event, in order, so the story can be rebuilt from the export.
                json.WriteStartArray("events");
                var sequence = -1L;
                while (true)
                {
                    var events = (
                        await connection.QueryAsync<EventRow>(
                            new CommandDefinition(
                                "SELECT sequence AS Sequence, type AS Type, payload AS Payload, actor AS Actor, at "
                                    + "AS At "
                                    + "FROM story_events "
                                    + "WHERE adventure_id = @Id AND sequence > @After ORDER BY sequence LIMIT "
                                    + $"{PageSize}",
                                new { adventure.Id, After = sequence },
                                cancellationToken: cancellationToken
                            )
                        )
                    ).ToList();
                    foreach (var e in events)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("sequence", e.Sequence);
                        json.WriteString("type", e.Type);
                        json.WriteString("actor", e.Actor);
                        WriteTime(json, "at", e.At);
                        WriteJson(json, "payload", e.Payload);
                        json.WriteEndObject();
                    }
                    await json.FlushAsync(cancellationToken);
                    if (events.Count < PageSize)
                    {
                        break;
                    }
                    sequence = events[^1].Sequence;
                }
                json.WriteEndArray();
                // The rolling summaries the utility model wrote of this story (few: one per chunk of turns and layer).
                json.WriteStartArray("summaries");
                foreach (
                    var summary in await connection.QueryAsync<SummaryRow>(
                        new CommandDefinition(
                            "SELECT layer AS Layer, from_turn AS FromTurn, to_turn AS ToTurn, text AS Text, "
                                + "created_at AS "
                                + "CreatedAt FROM story_summaries "
                                + "WHERE adventure_id = @Id ORDER BY layer, "
                                + "from_turn",
                            new { adventure.Id },
                            cancellationToken: cancellationToken
                        )
                    )
                )
                {
                    json.WriteStartObject();
                    json.WriteNumber("layer", summary.Layer);
                    json.WriteNumber("fromTurn", summary.FromTurn);
                    json.WriteNumber("toTurn", summary.ToTurn);
                    json.WriteString("text", summary.Text);
                    WriteTime(json, "createdAt", summary.CreatedAt);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            await json.FlushAsync(cancellationToken);
            await output.FlushAsync(cancellationToken);
            if (page.Count < PageSize)
            {
                break;
            }
            after = page[^1].Id;
        }
        json.WriteEndArray();
    }

    private static async Task WritePagesAsync<T>(
        Utf8JsonWriter json,
        Stream output,
        string property,
        DbConnection connection,
        string sql,
        string ownerId,
        Func<T, string> keyOf,
        Action<Utf8JsonWriter, T> write,
        CancellationToken cancellationToken,
        int pageSize = PageSize
    )
    {
        sql += $" LIMIT {pageSize}";
        json.WriteStartArray(property);
        var after = "";
        while (true)
        {
            var page = (
                await connection.QueryAsync<T>(
                    new CommandDefinition(
                        sql,
                        new { Owner = ownerId, After = after },
                        cancellationToken: cancellationToken
                    )
                )
            ).ToList();
            foreach (var row in page)
            {
                json.WriteStartObject();
                write(json, row);
                json.WriteEndObject();
            }
            await json.FlushAsync(cancellationToken);
            await output.FlushAsync(cancellationToken);
            // A short page is the last.
            if (page.Count < pageSize)
            {
                break;
            }
            after = keyOf(page[^1]);
        }
        json.WriteEndArray();
    }

    private static void WriteJson(Utf8JsonWriter json, string property, string? stored)
    {
        json.WritePropertyName(property);
        if (stored is null)
        {
            json.WriteNullValue();
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(stored);
            document.WriteTo(json);
        }
        catch (JsonException)
        {
            json.WriteStringValue(stored); // never lose it, even if it is not JSON
        }
    }

    private static void WriteTime(Utf8JsonWriter json, string property, long? unixMs)
    {
        if (unixMs is { } ms)
        {
            json.WriteString(property, DateTimeOffset.FromUnixTimeMilliseconds(ms));
        }
        else
        {
            json.WriteNull(property);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string property, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(property, v);
        }
        else
        {
            json.WriteNull(property);
        }
    }

    private sealed class DocumentRow
    {
        public string Id { get; init; } = "";
        public string? ParentId { get; init; }
        public string Name { get; init; } = "";
        public string Tags { get; init; } = "";
        public string Body { get; init; } = "";
        public long Version { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
        public long? DeletedAt { get; init; }
    }

    private sealed class BedtimeRow
    {
        public string Key { get; init; } = "";
        public string Title { get; init; } = "";
        public string Request { get; init; } = "{}";
        public string Status { get; init; } = "";
        public long Favourite { get; init; }
        public long CreatedAt { get; init; }
        public long? DeletedAt { get; init; }
    }

    private sealed class BedtimeChapterRow
    {
        public string Key { get; init; } = "";
        public string StoryId { get; init; } = "";
        public long Number { get; init; }
        public string Title { get; init; } = "";
        public string Text { get; init; } = "";
        public string Guard { get; init; } = "";
        public string? GuardNote { get; init; }
    }

    private sealed class AudioRow
    {
        public string Key { get; init; } = "";
        public string Kind { get; init; } = "";
        public string SubjectId { get; init; } = "";
        public string MediaType { get; init; } = "";
        public long DurationMs { get; init; }
        public string Voice { get; init; } = "";
        public byte[] Data { get; init; } = [];
    }

    private sealed class ImageRow
    {
        public string Key { get; init; } = "";
        public string Kind { get; init; } = "";
        public string SubjectId { get; init; } = "";
        public string MediaType { get; init; } = "";
        public long Width { get; init; }
        public long Height { get; init; }
        public byte[] Data { get; init; } = [];
    }

    private sealed class DocumentFileRow
    {
        public string Key { get; init; } = "";
        public string MediaType { get; init; } = "";
        public byte[] Data { get; init; } = [];
    }

    private sealed class FileRow
    {
        public string Key { get; init; } = "";
        public string CharacterId { get; init; } = "";
        public string Path { get; init; } = "";
        public string MediaType { get; init; } = "";
        public byte[] Data { get; init; } = [];
    }

    private sealed class AdventureRow
    {
        public string Id { get; init; } = "";
        public string WorldId { get; init; } = "";
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
        public long TurnCount { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
    }

    private sealed class EventRow
    {
        public long Sequence { get; init; }
        public string Type { get; init; } = "";
        public string Payload { get; init; } = "";
        public string Actor { get; init; } = "";
        public long At { get; init; }
    }

    private sealed class SessionRow
    {
        public string Id { get; init; } = "";
        public long CreatedAt { get; init; }
        public long ExpiresAt { get; init; }
        public long? RevokedAt { get; init; }
        public long? LastUsedAt { get; init; }
        public string? UserAgent { get; init; }
        public string? Ip { get; init; }
    }

    private sealed class ApiKeyRow
    {
        public string Id { get; init; } = "";
        public string PublicId { get; init; } = "";
        public string Name { get; init; } = "";
        public string Scopes { get; init; } = "";
        public long CreatedAt { get; init; }
        public long? ExpiresAt { get; init; }
        public long? LastUsedAt { get; init; }
        public long? RevokedAt { get; init; }
    }

    private sealed class TwoFactorRow
    {
        public long CreatedAt { get; init; }
        public long? EnabledAt { get; init; }
        public long RecoveryCodesLeft { get; init; }
    }

    private sealed class SummaryRow
    {
        public long Layer { get; init; }
        public long FromTurn { get; init; }
        public long ToTurn { get; init; }
        public string Text { get; init; } = "";
        public long CreatedAt { get; init; }
    }

    private sealed class UsageRow
    {
        public string Id { get; init; } = "";
        public string? AdventureId { get; init; }
        public string Purpose { get; init; } = "";
        public string? Backend { get; init; }
        public string? Model { get; init; }
        public long PromptTokens { get; init; }
        public long CompletionTokens { get; init; }
        public long Estimated { get; init; }
        public long CostMicros { get; init; }
        public long At { get; init; }
    }

    private sealed class AuditRow
    {
        public string Id { get; init; } = "";
        public long At { get; init; }
        public string Action { get; init; } = "";
        public string? ActorId { get; init; }
        public string? Ip { get; init; }
        public string? UserAgent { get; init; }
        public string? Detail { get; init; }
    }
}
