using System.Text.RegularExpressions;

namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// A lorebook compiled for scanning: every distinct plain key filed under its first four (or three) characters, lower
/// case, in a <see cref="PrefixTable"/>, so one pass over the text finds them all whatever the number of entries;
/// regex keys compiled once; each entry's settings resolved. Built once per stored version of a book and kept in the
/// <see cref="LoreIndexCache"/>, so a turn only pays for the scan.
/// </summary>
internal sealed class LoreBookIndex
{
    /// <summary>
    /// SillyTavern's default (<c>world_info_depth = 2</c>): two messages, the action and the narration before it.
    /// </summary>
    public const int DefaultScanDepth = 2;

    /// <summary>
    /// Needles of four characters or more by their first four, and needles of three by all three (lower case). Keyed on
    /// four where it can be: names share their first three letters with ordinary words ("har" in harbour) far more
    /// often than their first four, and every position that passes the filter costs a probe and a comparison.
    /// </summary>
    public PrefixTable ByFour { get; }
    public PrefixTable ByThree { get; }

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
                        // Compiled to IL once per book version: the scan then runs it every turn over up to the whole
                        // scan depth.
                        regexes.Add(
                            LoreKeys.Compile(key) is { } parsed
                                ? new Regex(
                                    parsed.ToString(),
                                    parsed.Options | RegexOptions.Compiled,
                                    parsed.MatchTimeout
                                )
                                : null
                        );
                    }
                    catch (ArgumentException e)
                    {
                        // Validation refuses such keys on write; one stored before that rule existed never matches.
                        regexes.Add(null);
                        problems.Add(
                            $"Book \"{source.Book.Name}\": key {key} is not a valid regular expression "
                                + $"({e.Message}); it never matches."
                        );
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
            var primary = entry
                .Keys.Select(k => Compile(k ?? "", caseSensitive, wholeWords))
                .Where(k => !k.IsNever)
                .ToArray();
            var secondary = entry
                .SecondaryKeys.Select(k => Compile(k ?? "", caseSensitive, wholeWords))
                .Where(k => !k.IsNever)
                .ToArray();
            entries.Add(
                new IndexedEntry(
                    entry,
                    primary,
                    // A selective entry whose secondary keys are all empty behaves as if it were not selective.
                    entry.Selective
                        ? secondary
                        : [],
                    Math.Max(0, entry.ScanDepth ?? source.Book.ScanDepth ?? DefaultScanDepth),
                    Narration.PromptText.Clean(entry.Content),
                    CanBeTriggeredByRecursion: bookRecursion && !entry.ExcludeRecursion,
                    TriggersRecursion: bookRecursion && !entry.PreventRecursion
                )
            );
        }
        Entries = entries;
        Needles = [.. needles];
        Modes = [.. modes];
        Regexes = [.. regexes];
        RegexKeys = [.. regexKeys];
        Problems = problems;
        MaxDepth = entries.Count == 0 ? 0 : entries.Max(e => e.Depth);
        HasRecursionTargets = entries.Any(e => e.CanBeTriggeredByRecursion && e.Entry.Enabled);
        NeededSlots = Modes.Sum(m => System.Numerics.BitOperations.PopCount((uint)m));
        LowerNeedles = [.. Needles.Select(n => n.ToLowerInvariant())];
        var indexed = LowerNeedles.Select((n, i) => (Needle: n, Index: i)).ToArray();
        ByFour = new PrefixTable(
            indexed.Where(p => p.Needle.Length >= 4).Select(p => (PrefixTable.Pack(p.Needle, 4), p.Index))
        );
        ByThree = new PrefixTable(
            indexed.Where(p => p.Needle.Length == 3).Select(p => (PrefixTable.Pack(p.Needle, 3), p.Index))
        );
        ShortNeedles = [.. LowerNeedles.Select((n, i) => (n, i)).Where(p => p.n.Length < 3).Select(p => p.i)];
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

    /// <summary>Whether any entry can be activated by recursion; a book without one is never scanned for it.</summary>
    public bool HasRecursionTargets { get; }
    public int NeededSlots { get; }

    /// <summary>The needles in lower case (<see cref="string.ToLowerInvariant()"/> keeps every character's
    /// position).</summary>
    public string[] LowerNeedles { get; }

    /// <summary>Needles of one or two characters, searched for one by one (rare: most keys are names).</summary>
    public int[] ShortNeedles { get; }

    /// <summary>Compiles <paramref name="book"/>; <see cref="LoreIndexCache"/> keeps the result.</summary>
    public static LoreBookIndex Build(LoreBook book) => new(book);
}

/// <summary>A key of an entry: an index into the book's needles (with the mode to match it in) or its
/// regexes.</summary>
internal readonly record struct KeyRef(string Text, bool IsRegex, int Index, int Mode)
{
    public static readonly KeyRef Never = new("", false, -1, 0);

    public bool IsNever => Index < 0;
}

/// <summary>An entry with its keys compiled, its settings resolved against its book's, and its prompt text
/// cleaned.</summary>
internal sealed record IndexedEntry(
    LoreEntry Entry,
    KeyRef[] Primary,
    KeyRef[] Secondary,
    int Depth,
    string Text,
    bool CanBeTriggeredByRecursion,
    bool TriggersRecursion
);
