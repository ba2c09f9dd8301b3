using System.Globalization;
using Dapper;
using Microsoft.Extensions.AI;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Stories;
using StoryEngine.Storage;

namespace StoryEngine.Tests.Memory;

/// <summary>
/// Adventures played straight into the story log for index tests: random turns, streaming turns finished later
/// (completed, failed or interrupted), retries, choices between alternatives, edits (also to empty text) and undos,
/// each event a millisecond after the last so every change gives its turn a new version. What the index should
/// hold is computed from the transcript, the way a full sync of an empty index would.
/// </summary>
public sealed class IndexPlay(IServiceProvider services, Random random)
{
    public const string Owner = "index-play-owner";

    private readonly IStoryLog _log = services.GetRequiredService<IStoryLog>();
    private readonly StoryWriter _writer = new(
        services.GetRequiredService<IAdventureStore>(),
        services.GetRequiredService<IStoryLog>(),
        new SteppingClock()
    );
    private readonly List<string> _words =
    [
        "lantern",
        "gull",
        "harbour",
        "rope",
        "amber",
        "ring",
        "fog",
        "bell",
        "oar",
        "tide",
        "heron",
        "salt",
    ];

    public IStoryLog Log => _log;

    /// <summary>A new adventure with an opening; its id.</summary>
    public async Task<string> CreateAsync(int seededTurns = 0)
    {
        var id = Guid.NewGuid().ToString("N");
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        var events = new List<StoryEvent>
        {
            StoryEvent.Create(id, 1, new OpeningWritten("t0-" + id, "Fog over the quay.", "world"), Owner, at),
        };
        for (var n = 1; n <= seededTurns; n++)
        {
            var turnId = $"s{n.ToString(CultureInfo.InvariantCulture)}-{id}";
            events.Add(
                StoryEvent.Create(id, events.Count + 1, new ActionTaken(turnId, n, "do", Sentence()), Owner, at)
            );
            events.Add(StoryEvent.Create(id, events.Count + 1, Completed(turnId, 0), Owner, at));
        }
        var adventure = new Adventure(
            id,
            Owner,
            "world",
            "Index play",
            null,
            [],
            null,
            null,
            null,
            events.Count,
            seededTurns,
            at,
            at
        );
        await _log.CreateAsync(adventure, events, StoryProjection.Replay(events), CancellationToken.None);
        return id;
    }

    /// <summary>A fork of <paramref name="adventureId"/> at a random live turn (its history copied, its index
    /// empty).</summary>
    public async Task<string> ForkAsync(string adventureId)
    {
        var turns = (await LiveTurnsAsync(adventureId)).Where(t => t.Status != NarrationRecord.Streaming).ToArray();
        var at = turns[random.Next(turns.Length)];
        return (
            await services
                .GetRequiredService<AdventureService>()
                .ForkAsync(Owner, adventureId, at.TurnId, CancellationToken.None)
        ).Id;
    }

    /// <summary>Plays <paramref name="steps"/> random steps on the adventure.</summary>
    public async Task PlayAsync(string adventureId, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            await StepAsync(adventureId);
        }
    }

    public async Task AppendAsync(string adventureId, params IStoryEventPayload[] payloads) =>
        await _writer.AppendAsync(
            await _writer.LoadAsync(Owner, adventureId, CancellationToken.None),
            Owner,
            payloads,
            CancellationToken.None
        );

    public async Task<string> TakeTurnAsync(string adventureId)
    {
        var adventure = await _writer.LoadAsync(Owner, adventureId, CancellationToken.None);
        var turnId = Guid.NewGuid().ToString("N");
        await _writer.AppendAsync(
            adventure,
            Owner,
            [new ActionTaken(turnId, adventure.TurnCount + 1, "do", Sentence())],
            CancellationToken.None
        );
        await AppendAsync(adventureId, Completed(turnId, 0));
        return turnId;
    }

    private async Task StepAsync(string adventureId)
    {
        var turns = await LiveTurnsAsync(adventureId);
        var streaming = turns.Where(t => t.Status == NarrationRecord.Streaming).ToArray();
        var settled = turns.Where(t => t.Status != NarrationRecord.Streaming).ToArray();
        var pick = settled.Length == 0 ? null : settled[random.Next(settled.Length)];
        var roll = random.Next(20);
        if (streaming.Length > 0 && roll < 4)
        {
            var turn = streaming[random.Next(streaming.Length)];
            var alternative = turn.Alternatives.Count - 1;
            await AppendAsync(
                adventureId,
                (roll % 3) switch
                {
                    0 => Completed(turn.TurnId, alternative),
                    1 => new NarrationFailed(
                        turn.TurnId,
                        alternative,
                        "backend_failed",
                        "down",
                        roll % 2 == 0 ? "" : Sentence()
                    ),
                    _ => new NarrationInterrupted(turn.TurnId, alternative, Sentence()),
                }
            );
        }
        else if (roll < 10 || pick is null)
        {
            if (roll == 9 && streaming.Length == 0)
            {
                var adventure = await _writer.LoadAsync(Owner, adventureId, CancellationToken.None);
                await AppendAsync(
                    adventureId,
                    new ActionTaken(Guid.NewGuid().ToString("N"), adventure.TurnCount + 1, "say", Sentence())
                );
            }
            else
            {
                await TakeTurnAsync(adventureId);
            }
        }
        else if (roll < 13)
        {
            var alternative = pick.Alternatives.Count;
            await AppendAsync(
                adventureId,
                roll == 12
                    ? [new RetryRequested(pick.TurnId, alternative)] // left streaming, finished by a later step
                    : [new RetryRequested(pick.TurnId, alternative), Completed(pick.TurnId, alternative)]
            );
        }
        else if (roll < 15 && pick.Alternatives.Count > 1)
        {
            await AppendAsync(adventureId, new AlternativeChosen(pick.TurnId, random.Next(pick.Alternatives.Count)));
        }
        else if (roll < 18)
        {
            await AppendAsync(
                adventureId,
                (roll % 3) switch
                {
                    0 => new TurnEdited(pick.TurnId, null, Sentence()),
                    1 => new TurnEdited(pick.TurnId, pick.Kind == "opening" ? null : Sentence(), null),
                    _ => new TurnEdited(pick.TurnId, null, ""), // an opening edited to nothing is no longer remembered
                }
            );
        }
        else if (turns.LastOrDefault(t => t.Kind != "opening") is { } last)
        {
            await AppendAsync(adventureId, new TurnUndone(last.TurnId));
        }
    }

    private NarrationCompleted Completed(string turnId, int alternative) =>
        new(
            turnId,
            alternative,
            Sentence(),
            "scripted",
            "scripted",
            new TokenUsage(null, null),
            new NarrationTimings(null, 1)
        );

    private string Sentence() =>
        string.Join(' ', Enumerable.Range(0, 6).Select(_ => _words[random.Next(_words.Count)])) + ".";

    private async Task<IReadOnlyList<TurnRecord>> LiveTurnsAsync(string adventureId) =>
        (await StoryTail.TurnsAsync(_log, adventureId, 0, null, CancellationToken.None))
            .Where(t => !t.Undone)
            .ToArray();

    /// <summary>What a full sync of an empty index writes for the adventure as it is now, in the form of <see
    /// cref="SnapshotAsync"/>.</summary>
    public async Task<string[]> ExpectedAsync(string adventureId, HashEmbeddings? vectors)
    {
        var turns = await StoryTail.TurnsAsync(_log, adventureId, 0, null, CancellationToken.None);
        return
        [
            .. turns
                .Where(MemoryIndexJob.Remembered)
                .Select(t =>
                    Row(
                        t.TurnId,
                        t.Number,
                        t.UpdatedAt.ToUnixTimeMilliseconds(),
                        MemoryText.Of(t),
                        vectors is null
                            ? null
                            : VectorMath.ToBytes(VectorMath.Normalized(HashEmbeddings.Vector(MemoryText.Of(t)))),
                        vectors is null ? null : HashEmbeddings.Model
                    )
                )
                .Order(StringComparer.Ordinal),
        ];
    }

    /// <summary>Every entry of the adventure's index, one line each (vector bytes included), in turn-id
    /// order.</summary>
    public async Task<string[]> SnapshotAsync(string adventureId)
    {
        await using var connection = await services
            .GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<(
            string TurnId,
            long Number,
            long Version,
            string Text,
            byte[]? Embedding,
            string? Model
        )>(
            "SELECT turn_id, number, version, text, embedding, embedding_model FROM memory_entries WHERE "
                + "adventure_id = @Id",
            new { Id = adventureId }
        );
        return
        [
            .. rows.Select(r => Row(r.TurnId, (int)r.Number, r.Version, r.Text, r.Embedding, r.Model))
                .Order(StringComparer.Ordinal),
        ];
    }

    /// <summary>Sets the stored cursor as a crash or an older server would have left it (null: no cursor).</summary>
    public async Task SetCursorAsync(string adventureId, long? sequence)
    {
        await using var connection = await services
            .GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "UPDATE memory_generations SET indexed_through = @Sequence WHERE adventure_id " + "= @Id",
            new { Id = adventureId, Sequence = sequence }
        );
    }

    /// <summary>Sets the summaries' cursor as an older server would have left it (null: none).</summary>
    public async Task SetSummaryCursorAsync(string adventureId, long? sequence)
    {
        await using var connection = await services
            .GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "UPDATE memory_generations SET summaries_checked_through = @Sequence WHERE " + "adventure_id = @Id",
            new { Id = adventureId, Sequence = sequence }
        );
    }

    private static string Row(string turnId, int number, long version, string text, byte[]? embedding, string? model) =>
        $"{turnId} #{number} v{version} [{model}] {(embedding is null ? "-" : Convert.ToHexString(embedding))} {text}";

    /// <summary>One millisecond later on every read.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks = 2_000_000;

        public override DateTimeOffset GetUtcNow() =>
            DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Increment(ref _ticks));
    }
}

/// <summary>An in-process embedding backend: a hashed bag of words, deterministic; <see cref="Fail"/> makes it
/// throw.</summary>
public sealed class HashEmbeddings : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string Model = "hash-embed";

    public bool Fail { get; set; }

    public int Embedded { get; private set; }

    public MemoryEmbeddings AsMemoryEmbeddings() => new(this, Model, usage: null);

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        if (Fail)
        {
            throw new HttpRequestException("The embedding backend is down.");
        }
        var embeddings = values.Select(v => new Embedding<float>(Vector(v))).ToList();
        Embedded += embeddings.Count;
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(embeddings));
    }

    public static float[] Vector(string text)
    {
        var vector = new float[16];
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            vector[(int)((uint)string.GetHashCode(word, StringComparison.Ordinal) % 16)] += 1;
        }
        vector[0] += 0.5f; // never all zeros
        return vector;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }
}
