using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// Loads what lore activation needs for one narration, always in the adventure owner's scope: the world's lorebooks,
/// the cast's own books, enough live turns for the deepest scan or longest timer, and their activation records; and,
/// for <c>vectorized</c> entries, which of them the move is close to in meaning (issue 20).
/// </summary>
public sealed partial class LoreInputs(
    IResourceStore<Lorebook> worldBooks,
    ICharacterLorebookStore characterBooks,
    IStoryLog log,
    ILoreActivationLog activations,
    MemoryEmbeddings? embeddings = null,
    LoreOptions? options = null,
    ILogger<LoreInputs>? logger = null
)
{
    // Vectorized entries' content, embedded once per process and model: an entry changes far less often than a turn.
    private readonly BoundedCache<(string Model, string Text), float[]> _entryVectors = new(4_096, TimeProvider.System);

    /// <summary>The furthest back activation reads, whatever an entry asks: scan depth and timers beyond it are cut to
    /// it.</summary>
    public const int MaxLookback = 1_000;

    private const int PageSize = 64;

    /// <param name="transcript">The live turns before this one, oldest first, as the narration input already read
    /// them.</param>
    /// <returns>Null when the adventure has no lore at all.</returns>
    /// <param name="meaning">What vectorized entries are compared with (the player's move); null: by keys only.</param>
    /// <param name="number">The turn's number when the caller knows it (saves reading the turn).</param>
    public async Task<LoreInput?> LoadAsync(
        Adventure adventure,
        string turnId,
        IReadOnlyList<TurnRecord> transcript,
        CancellationToken cancellationToken,
        string? meaning = null,
        int? number = null
    )
    {
        var books = await BooksAsync(adventure, cancellationToken);
        if (books.All(b => b.Book.Entries.Count == 0))
        {
            return null;
        }
        var turnNumber = number
            ?? (await log.GetTurnAsync(adventure.Id, turnId, cancellationToken))?.Number
            ?? (transcript.Count == 0 ? 1 : transcript[^1].Number + 1);
        var lookback = Math.Min(
            MaxLookback,
            books.SelectMany(b => b.Book.Entries.Select(e => Reach(b.Book, e))).DefaultIfEmpty(0).Max()
        );

        var recent = transcript.Reverse().ToList();
        var complete = recent.Count > 0 && recent[^1].Kind == "opening";
        while (!complete && recent.Count < lookback)
        {
            var want = Math.Min(PageSize, lookback - recent.Count);
            var page = await log.ListTurnsAsync(
                adventure.Id,
                recent.Count == 0 ? turnNumber : recent[^1].Number,
                want,
                includeUndone: false,
                cancellationToken
            );
            recent.AddRange(page);
            complete = page.Count < want;
        }
        if (recent.Count > lookback)
        {
            recent.RemoveRange(lookback, recent.Count - lookback);
        }

        var fired =
            recent.Count == 0
                ? []
                : (
                    await activations.ListAsync(adventure.Id, recent[^1].Number, turnNumber, cancellationToken)
                ).ToDictionary(r => (r.TurnId, r.Alternative));
        var history = recent
            .Select(t => new LoreHistoryTurn(
                t.Number,
                fired.TryGetValue((t.TurnId, t.Chosen), out var r) ? r.Entries : []
            ))
            .ToArray();
        return new LoreInput(adventure.Id, turnNumber, books, recent, history)
        {
            ByMeaning = await ByMeaningAsync(adventure, books, meaning, cancellationToken),
        };
    }

    /// <summary>
    /// The vectorized entries whose content is at least Lore:VectorizedSimilarity close to <paramref name="meaning"/>,
    /// the closest Lore:VectorizedEntries of them; null without an embedding model that answers now (the local one
    /// still loading, say), or when the model fails: lore then fires by keys alone, and the turn goes on.
    /// </summary>
    private async Task<IReadOnlyDictionary<(string BookId, int EntryId), float>?> ByMeaningAsync(
        Adventure adventure,
        IReadOnlyList<LoreBook> books,
        string? meaning,
        CancellationToken cancellationToken
    )
    {
        var settings = options ?? new LoreOptions();
        if (
            embeddings is not { Enabled: true }
            || string.IsNullOrWhiteSpace(meaning)
            || settings.VectorizedEntries == 0
        )
        {
            return null;
        }
        var candidates = books
            .SelectMany(b =>
                b.Book.Entries.Where(e => e is { Vectorized: true, Enabled: true, Constant: false })
                    .Where(e => e.Content.Trim().Length > 0)
                    .Select(e => (Book: b.Id, Entry: e))
            )
            .ToArray();
        if (candidates.Length == 0)
        {
            return null;
        }
        var model = embeddings.Model;
        var missing = candidates
            .Select(c => c.Entry.Content)
            .Distinct(StringComparer.Ordinal)
            .Where(t => !_entryVectors.TryGet((model, t), out _))
            .ToArray();
        float[][] vectors;
        try
        {
            // The move is embedded once for recall, knowledge search and this; entries only when not seen yet.
            var move = await embeddings.EmbedQueriesAsync(
                [meaning],
                adventure.OwnerId,
                adventure.Id,
                cancellationToken
            );
            vectors =
            [
                move[0],
                .. missing.Length == 0
                    ? []
                    : await embeddings.EmbedAsync(missing, adventure.OwnerId, adventure.Id, cancellationToken),
            ];
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            if (logger is not null)
            {
                LogVectorizedFailed(logger, e, adventure.Id);
            }
            return null;
        }
        for (var i = 0; i < missing.Length; i++)
        {
            _entryVectors.Set((model, missing[i]), vectors[i + 1]);
        }
        var query = vectors[0];
        var close = new List<((string, int) Key, float Similarity)>();
        foreach (var (book, entry) in candidates)
        {
            var vector = _entryVectors.TryGet((model, entry.Content), out var cached)
                ? cached
                : vectors[1 + Array.IndexOf(missing, entry.Content)];
            var similarity = vector.Length == query.Length ? TensorPrimitives.Dot(query, vector) : 0;
            if (similarity >= settings.VectorizedSimilarity)
            {
                close.Add(((book, entry.Id), similarity));
            }
        }
        return close
            .OrderByDescending(c => c.Similarity)
            .Take(settings.VectorizedEntries)
            .ToDictionary(c => c.Key, c => c.Similarity);
    }

    [LoggerMessage(
        EventId = LogEvents.Knowledge.VectorizedLoreFailed,
        Level = LogLevel.Warning,
        Message = "Vectorized lore of adventure {AdventureId} could not be matched by meaning; keys only this turn"
    )]
    private static partial void LogVectorizedFailed(ILogger logger, Exception exception, string adventureId);

    /// <summary>The world's books (by id), then each cast member's own book in cast order.</summary>
    private async Task<List<LoreBook>> BooksAsync(Adventure adventure, CancellationToken cancellationToken)
    {
        var books = (
            await worldBooks.ListAllAsync(new ResourceScope(adventure.OwnerId, adventure.WorldId), cancellationToken)
        )
            .OrderBy(b => b.Id, StringComparer.Ordinal)
            .Select(b => new LoreBook(b.Id, "world", b.Version, b.Body))
            .ToList();
        foreach (var characterId in adventure.CharacterIds)
        {
            if (
                await characterBooks.GetAsync(
                    new ResourceScope(adventure.OwnerId, characterId),
                    characterId,
                    cancellationToken
                ) is
                { DeletedAt: null } own
            )
            {
                books.Add(new LoreBook(own.Id, "character", own.Version, own.Body));
            }
        }
        return books;
    }

    /// <summary>
    /// How many turns back one entry needs to see: its scan depth (in messages, two a turn after the action), its
    /// sticky plus cooldown window, its delay (both in turns).
    /// </summary>
    private static int Reach(Lorebook book, LoreEntry entry) =>
        Math.Max(
            (entry.ScanDepth ?? book.ScanDepth ?? LoreBookIndex.DefaultScanDepth) / 2,
            Math.Max((entry.Sticky ?? 0) + (entry.Cooldown ?? 0), entry.Delay ?? 0)
        );
}
