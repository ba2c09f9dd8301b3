using StoryEngine.Core.Jobs;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Memory;

/// <summary>
/// Brings an adventure's recall index in line with its transcript: new and edited turns are (re)indexed, undone
/// turns leave. Idempotent, so one job per adventure (deduplicated) catches up on everything, also the whole
/// copied history of a fork. Vectors are computed before anything is written: a failing embedding backend fails
/// the attempt (the queue retries it) and leaves the index as it was.
/// </summary>
public sealed class MemoryIndexJob(IStoryLog log, IMemoryStore store, MemoryEmbeddings embeddings) : IJobHandler
{
    public const string JobType = "memory.index";
    private const int PageSize = 500;

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var adventureId = job.AdventureId ?? throw new InvalidOperationException($"Job {job.JobId} ({JobType}) names no adventure.");
        await SyncAsync(adventureId, job.OwnerId, withVectors: true, cancellationToken);
    }

    /// <summary>
    /// Indexes what changed. Without <paramref name="withVectors"/> only the text is indexed (what recall does inline for
    /// a partition never indexed, such as a fresh fork); the next job adds the vectors.
    /// </summary>
    /// <param name="ownerId">Whose usage ledger the embedding requests go in.</param>
    public async Task SyncAsync(string adventureId, string ownerId, bool withVectors, CancellationToken cancellationToken)
    {
        var embed = withVectors && embeddings.Enabled;
        var turns = await AllTurnsAsync(log, adventureId, cancellationToken);
        var indexed = (await store.ListIndexedAsync(adventureId, cancellationToken)).ToDictionary(i => i.TurnId, StringComparer.Ordinal);

        var live = turns.Where(Remembered).ToArray();
        var stale = live.Where(t => !indexed.TryGetValue(t.TurnId, out var i)
                                    || i.Version != t.UpdatedAt.ToUnixTimeMilliseconds()
                                    || (embed && i.EmbeddingModel != embeddings.Model)).ToArray();
        var liveIds = live.Select(t => t.TurnId).ToHashSet(StringComparer.Ordinal);
        var removed = indexed.Keys.Where(id => !liveIds.Contains(id)).ToArray();
        if (stale.Length == 0 && removed.Length == 0)
        {
            return;
        }

        var texts = stale.Select(MemoryText.Of).ToArray();
        var vectors = embed && texts.Length > 0 ? await embeddings.EmbedAsync(texts, ownerId, adventureId, cancellationToken) : null;
        var entries = stale.Select((t, i) => new MemoryEntry(adventureId, t.TurnId, t.Number, t.UpdatedAt.ToUnixTimeMilliseconds(), texts[i],
            vectors?[i], vectors is null ? null : embeddings.Model)).ToArray();
        await store.ApplyAsync(adventureId, entries, removed, cancellationToken);
    }

    /// <summary>Turns a later prompt may be reminded of: not undone, with a narration that is no longer streaming.</summary>
    public static bool Remembered(TurnRecord turn) =>
        !turn.Undone && turn.ChosenNarration.Status != NarrationRecord.Streaming && MemoryText.Of(turn).Length > 0;

    /// <summary>Every turn of the adventure, undone ones included, oldest first.</summary>
    public static async Task<IReadOnlyList<TurnRecord>> AllTurnsAsync(IStoryLog log, string adventureId, CancellationToken cancellationToken)
    {
        var turns = new List<TurnRecord>();
        int? before = null;
        while (true)
        {
            var page = await log.ListTurnsAsync(adventureId, before, PageSize, includeUndone: true, cancellationToken);
            turns.AddRange(page);
            if (page.Count < PageSize)
            {
                break;
            }
            before = page[^1].Number;
        }
        turns.Reverse();
        return turns;
    }
}
