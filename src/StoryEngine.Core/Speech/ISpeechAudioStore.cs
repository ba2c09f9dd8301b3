using StoryEngine.Core.Bedtime;

namespace StoryEngine.Core.Speech;

/// <summary>What a recording is of: a bedtime chapter (<c>{storyId}/{n}</c>) or an adventure's narration
/// (<c>{adventureId}/{turnId}</c>).</summary>
public static class AudioKinds
{
    public const string Bedtime = "bedtime";
    public const string Turn = "turn";
}

/// <summary>A stored recording: its bytes, its facts, and a hash of the text it speaks (a narration that changed
/// since is voiced again).</summary>
public sealed record StoredAudio(
    string Kind,
    string SubjectId,
    string OwnerId,
    byte[] Data,
    AudioInfo Info,
    string TextHash,
    DateTimeOffset CreatedAt
);

/// <summary>Recordings in the <c>speech_audio</c> table (docs/adr/0056-audio-in-the-database.md).</summary>
public interface ISpeechAudioStore
{
    Task PutAsync(StoredAudio audio, CancellationToken cancellationToken);

    /// <summary>Deletes the audio of narrations whose adventure no longer exists; how many went.</summary>
    Task<int> PurgeOrphansAsync(CancellationToken cancellationToken);

    Task<StoredAudio?> GetAsync(string ownerId, string kind, string subjectId, CancellationToken cancellationToken);

    /// <summary>The recordings whose subject starts with <paramref name="prefix"/>, without their bytes.</summary>
    Task<IReadOnlyList<StoredAudio>> ListAsync(
        string ownerId,
        string kind,
        string prefix,
        CancellationToken cancellationToken
    );
}
