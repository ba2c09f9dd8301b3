namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// Lorebooks compiled for scanning (<see cref="LoreBookIndex"/>), so a turn pays for the scan and not for the build.
/// One per process: a singleton that <c>AddLore</c> registers and the context builder uses. It holds one version of
/// each book, the newest asked for (a book's version changes with every edit, entries included, so an older version
/// is never asked for again once a newer one has been), and at most <see cref="Capacity"/> books, dropping the one
/// used longest ago. Nothing here has to agree between nodes: each compiles what it reads, and a miss only costs a
/// rebuild, which is cheap next to a model call.
/// </summary>
public sealed class LoreIndexCache(int capacity = LoreIndexCache.DefaultCapacity)
{
    public const int DefaultCapacity = 512;

    private readonly Dictionary<(string Source, string Id), Slot> _books = [];
    private readonly Lock _lock = new();
    private long _clock;

    public int Capacity { get; } =
        capacity > 0
            ? capacity
            : throw new ArgumentOutOfRangeException(
                nameof(capacity),
                capacity,
                "The cache must hold at least one book."
            );

    /// <summary>How many books are compiled and held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _books.Count;
            }
        }
    }

    internal LoreBookIndex For(LoreBook book)
    {
        lock (_lock)
        {
            if (_books.TryGetValue((book.Source, book.Id), out var slot) && slot.Version == book.Version)
            {
                slot.LastUsed = ++_clock;
                return slot.Index;
            }
        }
        // Built outside the lock: compiling a large book's regexes must not hold up other turns' lookups.
        var built = LoreBookIndex.Build(book);
        lock (_lock)
        {
            if (!_books.ContainsKey((book.Source, book.Id)) && _books.Count >= Capacity)
            {
                _books.Remove(_books.MinBy(b => b.Value.LastUsed).Key);
            }
            _books[(book.Source, book.Id)] = new Slot(book.Version, built) { LastUsed = ++_clock };
        }
        return built;
    }

    private sealed class Slot(long version, LoreBookIndex index)
    {
        public long Version { get; } = version;
        public LoreBookIndex Index { get; } = index;
        public long LastUsed { get; set; }
    }
}
