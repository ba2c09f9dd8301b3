using System.Data.Common;
using System.Text.Json;
using Dapper;
using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Speech;

namespace StoryEngine.Storage.Speech;

/// <summary>Recordings in <c>speech_audio</c>: in the database beside what they speak (ADR 56).</summary>
public sealed class SpeechAudioStore(IStorageProvider provider) : ISpeechAudioStore
{
    private const string Facts =
        "kind AS Kind, subject_id AS SubjectId, owner_id AS OwnerId, media_type AS MediaType, "
        + "duration_ms AS DurationMs, sentences AS Sentences, backend AS Backend, voice AS Voice, "
        + "text_hash AS TextHash, hash AS Hash, created_at AS CreatedAt";

    public async Task PutAsync(StoredAudio audio, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO speech_audio (kind, subject_id, owner_id, media_type, data, duration_ms, sentences, "
                    + "backend, voice, text_hash, hash, created_at) VALUES (@Kind, @SubjectId, @OwnerId, @MediaType, "
                    + "@Data, @DurationMs, @Sentences, @Backend, @Voice, @TextHash, @Hash, @CreatedAt) "
                    + "ON CONFLICT (kind, subject_id) DO UPDATE SET media_type = excluded.media_type, "
                    + "data = excluded.data, duration_ms = excluded.duration_ms, sentences = excluded.sentences, "
                    + "backend = excluded.backend, voice = excluded.voice, text_hash = excluded.text_hash, "
                    + "hash = excluded.hash, created_at = excluded.created_at "
                    + "WHERE speech_audio.owner_id = excluded.owner_id",
                new
                {
                    audio.Kind,
                    audio.SubjectId,
                    audio.OwnerId,
                    audio.Info.MediaType,
                    audio.Data,
                    audio.Info.DurationMs,
                    Sentences = JsonSerializer.Serialize(audio.Info.Sentences, JsonSerializerOptions.Web),
                    audio.Info.Backend,
                    audio.Info.Voice,
                    audio.TextHash,
                    audio.Info.Hash,
                    CreatedAt = audio.CreatedAt.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<int> PurgeOrphansAsync(CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        // A turn's subject is '{adventureId}/{turnId}': its adventure is the part before the slash.
        return await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM speech_audio WHERE kind = 'turn' AND NOT EXISTS (SELECT 1 FROM adventures a "
                    + "WHERE speech_audio.subject_id LIKE a.id || '/%')",
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<StoredAudio?> GetAsync(
        string ownerId,
        string kind,
        string subjectId,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            new CommandDefinition(
                $"SELECT {Facts}, data AS Data FROM speech_audio "
                    + "WHERE owner_id = @OwnerId AND kind = @Kind AND subject_id = @SubjectId",
                new
                {
                    OwnerId = ownerId,
                    Kind = kind,
                    SubjectId = subjectId,
                },
                cancellationToken: cancellationToken
            )
        );
        return row?.ToAudio();
    }

    public async Task<IReadOnlyList<StoredAudio>> ListAsync(
        string ownerId,
        string kind,
        string prefix,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        return await ListAsync(connection, ownerId, kind, prefix, cancellationToken);
    }

    internal static async Task<IReadOnlyList<StoredAudio>> ListAsync(
        DbConnection connection,
        string ownerId,
        string kind,
        string prefix,
        CancellationToken cancellationToken
    )
    {
        // Ids are UUIDs and '/': nothing in a prefix is a LIKE wildcard.
        var rows = await connection.QueryAsync<Row>(
            new CommandDefinition(
                $"SELECT {Facts}, LENGTH(data) AS Length FROM speech_audio "
                    + "WHERE owner_id = @OwnerId AND kind = @Kind AND subject_id LIKE @Prefix ORDER BY subject_id",
                new
                {
                    OwnerId = ownerId,
                    Kind = kind,
                    Prefix = prefix + "%",
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToAudio()).ToArray();
    }

    private sealed class Row
    {
        public string Kind { get; init; } = "";
        public string SubjectId { get; init; } = "";
        public string OwnerId { get; init; } = "";
        public string MediaType { get; init; } = "";
        public long DurationMs { get; init; }
        public string Sentences { get; init; } = "[]";
        public string Backend { get; init; } = "";
        public string Voice { get; init; } = "";
        public string TextHash { get; init; } = "";
        public string Hash { get; init; } = "";
        public long CreatedAt { get; init; }
        public byte[]? Data { get; init; }
        public long Length { get; init; }

        public StoredAudio ToAudio() =>
            new(
                Kind,
                SubjectId,
                OwnerId,
                Data ?? [],
                new AudioInfo(
                    MediaType,
                    (int)DurationMs,
                    Data?.LongLength ?? Length,
                    Hash,
                    JsonSerializer.Deserialize<SentenceTiming[]>(Sentences, JsonSerializerOptions.Web) ?? [],
                    Backend,
                    Voice
                ),
                TextHash,
                DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt)
            );
    }
}
