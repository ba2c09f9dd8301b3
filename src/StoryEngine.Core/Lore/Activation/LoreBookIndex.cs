using System.Buffers;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// A lorebook compiled for scanning: every distinct plain key in one multi-string searcher (one pass over the text
/// finds them all, whatever the number of entries), regex keys compiled once, and each entry's settings resolved.
/// Built once per stored version of a book and cached, so a turn only pays for the scan.
/// </summary>
internal sealed class LoreBookIndex
{
    /// <summary>SillyTavern's default: the last two messages; here the action and the turn before it.</summary>
    public const int DefaultScanDepth = 2;

    private const int CacheLimit = 512;
    private static readonly ConcurrentDictionary<(string Id, long Version), LoreBookIndex> Cache = new();

    private readonly Dictionary<int, int[]> _byPrefix;

    private LoreBookIndex(LoreBook source)
    {
        Source = source;
        var needles = new List<string>();
        var needleIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var modes = new List<int>();
        var regexes = new List<Regex?>();
        var regexKeys = new List<string>();
        var regexIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var problems = new List<string>();
        var bookRecursion = source.Book.RecursiveScanning != false;

        KeyRef Compile(string key, bool caseSensitive, bool wholeWords)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                return KeyRef.Never; // issue 5: empty keys never match
            }
            if (LoreKeys.IsRegex(key))
            {
                if (!regexIds.TryGetValue(key, out var r))
                {
                    r = regexes.Count;
                    regexIds[key] = r;
                    regexKeys.Add(key);
                    try
                    {
                        regexes.Add(LoreKeys.Compile(key));
                    }
                    catch (ArgumentException e)
                    {
                        // Validation refuses such keys on write; one stored before that rule existed never matches.
                        regexes.Add(null);
                        problems.Add($"Book \"{source.Book.Name}\": key {key} is not a valid regular expression ({e.Message}); it never matches.");
                    }
                }
                return new KeyRef(key, IsRegex: true, r, 0);
            }
            if (!needleIds.TryGetValue(key, out var n))
            {
                n = needles.Count;
                needleIds[key] = n;
                needles.Add(key);
                modes.Add(0);
            }
            // SillyTavern matches a key with spaces in it as a plain substring even when whole words are asked for.
            var whole = wholeWords && !key.Any(char.IsWhiteSpace);
            var mode = (caseSensitive ? 1 : 0) | (whole ? 2 : 0);
            modes[n] |= 1 << mode;
            return new KeyRef(key, IsRegex: false, n, mode);
        }

        var entries = new List<IndexedEntry>(source.Book.Entries.Count);
        foreach (var entry in source.Book.Entries)
        {
            var caseSensitive = entry.CaseSensitive ?? false;
            var wholeWords = entry.MatchWholeWords ?? false;
            var primary = entry.Keys.Select(k => Compile(k ?? "", caseSensitive, wholeWords)).Where(k => !k.IsNever).ToArray();
            var secondary = entry.SecondaryKeys.Select(k => Compile(k ?? "", caseSensitive, wholeWords)).Where(k => !k.IsNever).ToArray();
            entries.Add(new IndexedEntry(
                entry,
                primary,
                // A selective entry whose secondary keys are all empty behaves as if it were not selective.
                entry.Selective ? secondary : [],
                Math.Max(0, entry.ScanDepth ?? source.Book.ScanDepth ?? DefaultScanDepth),
                CanBeTriggeredByRecursion: bookRecursion && !entry.ExcludeRecursion,
                TriggersRecursion: bookRecursion && !entry.PreventRecursion));
        }
        Entries = entries;
        Needles = [.. needles];
        Modes = [.. modes];
        Regexes = [.. regexes];
        RegexKeys = [.. regexKeys];
        Problems = problems;
        MaxDepth = entries.Count == 0 ? 0 : entries.Max(e => e.Depth);
        NeededSlots = Modes.Sum(m => System.Numerics.BitOperations.PopCount((uint)m));
        Search = Needles.Length == 0 ? null : SearchValues.Create(Needles, StringComparison.OrdinalIgnoreCase);
        _byPrefix = Needles.Select((n, i) => (Prefix: PrefixOf(n.AsSpan()), Index: i))
            .GroupBy(p => p.Prefix)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Index).ToArray());
    }

    public LoreBook Source { get; }
    public IReadOnlyList<IndexedEntry> Entries { get; }

    /// <summary>Distinct plain keys, as written.</summary>
    public string[] Needles { get; }

    /// <summary>
    /// For each needle, bit <c>1 &lt;&lt; mode</c> for each of the four ways of matching some entry asks for; a mode's
    /// bit 0 is case-sensitive and bit 1 whole words.
    /// </summary>
    public int[] Modes { get; }

    public Regex?[] Regexes { get; }
    public string[] RegexKeys { get; }
    public IReadOnlyList<string> Problems { get; }
    public int MaxDepth { get; }
    public int NeededSlots { get; }
    public SearchValues<string>? Search { get; }

    public static LoreBookIndex For(LoreBook book)
    {
        // A stored book's version changes with every edit (entries included), so (id, version) names one content.
        if (Cache.TryGetValue((book.Id, book.Version), out var cached))
        {
            return cached;
        }
        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear(); // crude, but books are few and a rebuild is cheap next to a model call
        }
        var built = new LoreBookIndex(book);
        Cache[(book.Id, book.Version)] = built;
        return built;
    }

    /// <summary>Needles that could start at the start of <paramref name="text"/>: those sharing its first two characters, ignoring case.</summary>
    public ReadOnlySpan<int> Candidates(ReadOnlySpan<char> text)
    {
        var result = _byPrefix.GetValueOrDefault(PrefixOf(text[..Math.Min(2, text.Length)]));
        if (text.Length >= 2 && _byPrefix.TryGetValue(PrefixOf(text[..1]), out var single))
        {
            // One-character keys are filed under their one character.
            return result is null ? single : [.. result, .. single];
        }
        return result;
    }

    private static int PrefixOf(ReadOnlySpan<char> text) =>
        text.Length == 0 ? 0 : text.Length == 1
            ? char.ToUpperInvariant(text[0]) << 16
            : (char.ToUpperInvariant(text[0]) << 16) | char.ToUpperInvariant(text[1]);
}

/// <summary>A key of an entry: an index into the book's needles (with the mode to match it in) or its regexes.</summary>
internal readonly record struct KeyRef(string Text, bool IsRegex, int Index, int Mode)
{
    public static readonly KeyRef Never = new("", false, -1, 0);

    public bool IsNever => Index < 0;
}

/// <summary>An entry with its keys compiled and its settings resolved against its book's.</summary>
internal sealed record IndexedEntry(
    LoreEntry Entry,
    KeyRef[] Primary,
    KeyRef[] Secondary,
    int Depth,
    bool CanBeTriggeredByRecursion,
    bool TriggersRecursion);
