using StoryEngine.Core.Adventures;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// Loads what lore activation needs for one narration, always in the adventure owner's scope: the world's lorebooks,
/// the cast's own books, enough live turns for the deepest scan or longest timer, and their activation records.
/// </summary>
public sealed class LoreInputs(
    IResourceStore<Lorebook> worldBooks,
    ICharacterLorebookStore characterBooks,
    IStoryLog log,
    ILoreActivationLog activations
)
{
    /// <summary>The furthest back activation reads, whatever an entry asks: scan depth and timers beyond it are cut to
    /// it.</summary>
    public const int MaxLookback = 1_000;

    private const int PageSize = 64;

    /// <param name="transcript">The live turns before this one, oldest first, as the narration input already read
    /// them.</param>
    /// <returns>Null when the adventure has no lore at all.</returns>
    public async Task<LoreInput?> LoadAsync(
        Adventure adventure,
        string turnId,
        IReadOnlyList<TurnRecord> transcript,
        CancellationToken cancellationToken
    )
    {
        var books = await BooksAsync(adventure, cancellationToken);
        if (books.All(b => b.Book.Entries.Count == 0))
        {
            return null;
        }
        var current = await log.GetTurnAsync(adventure.Id, turnId, cancellationToken);
        var turnNumber = current?.Number ?? (transcript.Count == 0 ? 1 : transcript[^1].Number + 1);
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
        return new LoreInput(adventure.Id, turnNumber, books, recent, history);
    }

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
