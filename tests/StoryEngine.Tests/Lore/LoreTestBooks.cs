using StoryEngine.Core.Lore;
using StoryEngine.Core.Lore.Activation;

namespace StoryEngine.Tests.Lore;

/// <summary>Builds activation requests in memory: books, the turns before the action (newest first) and their
/// history.</summary>
public static class LoreTestBooks
{
    private static int _books;

    /// <summary>A book with an id of its own, so the compiled-index cache never hands one test another's
    /// book.</summary>
    public static LoreBook Book(Lorebook book) => new($"book-{Interlocked.Increment(ref _books)}", "world", 1, book);

    public static LoreBook Book(params LoreEntry[] entries) =>
        Book(new Lorebook { Name = "Test book", Entries = entries });

    public static LoreEntry Entry(int id, string content, params string[] keys) =>
        new()
        {
            Id = id,
            Content = content,
            Keys = keys,
        };

    /// <param name="earlier">Turns before the action, newest first: (player, narration).</param>
    public static LoreActivationResult Activate(
        IReadOnlyList<LoreBook> books,
        string action,
        IReadOnlyList<(string Player, string Narration)>? earlier = null,
        IReadOnlyList<LoreHistoryTurn>? history = null,
        int? turnsBefore = null,
        int turnNumber = 50,
        string adventureId = "adventure-1",
        int defaultBudget = 100_000
    ) =>
        LoreActivation.Activate(
            Request(books, action, earlier, history, turnsBefore, turnNumber, adventureId, defaultBudget)
        );

    public static LoreActivationRequest Request(
        IReadOnlyList<LoreBook> books,
        string action,
        IReadOnlyList<(string Player, string Narration)>? earlier = null,
        IReadOnlyList<LoreHistoryTurn>? history = null,
        int? turnsBefore = null,
        int turnNumber = 50,
        string adventureId = "adventure-1",
        int defaultBudget = 100_000
    )
    {
        earlier ??= [];
        var segments = new List<ScanSegment> { new(turnNumber, 1, "action", action) };
        for (var k = 0; k < earlier.Count; k++)
        {
            // Depth counts messages, as SillyTavern's scan depth does: the narration, then that turn's player message.
            segments.Add(new ScanSegment(turnNumber - 1 - k, 2 * k + 2, "narration", earlier[k].Narration));
            segments.Add(new ScanSegment(turnNumber - 1 - k, 2 * k + 3, "player", earlier[k].Player));
        }
        return new LoreActivationRequest(
            adventureId,
            turnNumber,
            books,
            segments,
            history ?? [],
            turnsBefore ?? earlier.Count,
            defaultBudget,
            text => (int)Math.Ceiling(text.Length / 4.0)
        );
    }

    /// <summary>History where <paramref name="bookId"/>'s entry <paramref name="entryId"/> fired <paramref
    /// name="turnsAgo"/> live turns before the action.</summary>
    public static IReadOnlyList<LoreHistoryTurn> FiredAgo(
        string bookId,
        int entryId,
        int turnsAgo,
        int turnNumber = 50,
        int length = 10
    ) =>
        [
            .. Enumerable
                .Range(1, length)
                .Select(k => new LoreHistoryTurn(
                    turnNumber - k,
                    k == turnsAgo ? [new LoreFiredRef(bookId, entryId, false)] : []
                )),
        ];

    public static IReadOnlyList<int> FiredIds(this LoreActivationResult result) =>
        [.. result.Report.Fired.Select(f => f.EntryId)];
}
