using System.Text.RegularExpressions;

namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// Text to scan, joined newest first with a separator no key can span (SillyTavern joins messages the same way), so
/// the text an entry with scan depth N sees is a prefix, and the first hit of a key is its most recent mention.
/// </summary>
internal sealed class ScanText
{
    private const string Joiner = "\n\u0001";

    private ScanText(string text, int[] starts, IReadOnlyList<ScanSegment> segments, int[] depthEnds)
    {
        Text = text;
        _starts = starts;
        Segments = segments;
        _depthEnds = depthEnds;
    }

    private readonly int[] _starts;
    private readonly int[] _depthEnds;

    public string Text { get; }

    /// <summary>The text in lower case, character for character, for matching that ignores case.</summary>
    public string Lower => _lower ??= ToLower(Text);

    /// <summary>
    /// <see cref="string.ToLowerInvariant()"/>, character for character, with the ASCII part vectorised: with invariant
    /// globalization the runtime lowers one character at a time, which was an eighth of an activation.
    /// </summary>
    internal static string ToLower(string text) => string.Create(text.Length, text, static (lower, text) =>
        {
            if (System.Text.Ascii.ToLower(text, lower, out var done) != System.Buffers.OperationStatus.Done)
            {
                text.AsSpan(done).ToLowerInvariant(lower[done..]);
            }
        });

    private string? _lower;

    public IReadOnlyList<ScanSegment> Segments { get; }

    /// <param name="segments">Newest first, with non-decreasing depths.</param>
    public static ScanText Build(IReadOnlyList<ScanSegment> segments)
    {
        var starts = new int[segments.Count];
        var maxDepth = 0;
        var length = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            maxDepth = Math.Max(maxDepth, segments[i].Depth);
            length += (i > 0 ? Joiner.Length : 0) + segments[i].Text.Length;
        }
        var depthEnds = new int[maxDepth + 1];
        // One allocation of the exact length: the text is tens of kilobytes every turn.
        var text = string.Create(length, segments, static (span, segments) =>
        {
            var at = 0;
            for (var i = 0; i < segments.Count; i++)
            {
                if (i > 0)
                {
                    Joiner.AsSpan().CopyTo(span[at..]);
                    at += Joiner.Length;
                }
                segments[i].Text.AsSpan().CopyTo(span[at..]);
                at += segments[i].Text.Length;
            }
        });
        var position = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            position += i > 0 ? Joiner.Length : 0;
            starts[i] = position;
            position += segments[i].Text.Length;
            depthEnds[segments[i].Depth] = position;
        }
        for (var d = 1; d <= maxDepth; d++)
        {
            depthEnds[d] = Math.Max(depthEnds[d], depthEnds[d - 1]);
        }
        return new ScanText(text, starts, segments, depthEnds);
    }

    /// <summary>Recursion text: the content of entries that fired, one segment each (their depth is unused).</summary>
    public static ScanText Build(IReadOnlyList<string> contents) =>
        Build(
            contents
                .Select(
                    (c, i) => new ScanSegment(0, 0, i.ToString(System.Globalization.CultureInfo.InvariantCulture), c)
                )
                .ToArray()
        );

    /// <summary>Where the text seen at scan depth <paramref name="depth"/> ends.</summary>
    public int End(int depth) => depth <= 0 ? 0 : _depthEnds[Math.Min(depth, _depthEnds.Length - 1)];

    /// <summary>The segment a position falls in.</summary>
    public int SegmentAt(int position)
    {
        var i = Array.BinarySearch(_starts, position);
        return i >= 0 ? i : ~i - 1;
    }
}

/// <summary>
/// Where each key of one book first occurs in one text: a position per needle and mode, found in one pass, and per
/// regex, run only when an entry still asks for it (an entry that already fired never does).
/// </summary>
internal sealed class KeyHits
{
    public const int None = int.MaxValue;
    private const int NotRun = -1;

    private readonly LoreBookIndex _index;
    private readonly string _text;
    private readonly int _limit;
    private readonly List<string> _warnings;
    private readonly int[] _needles;
    private readonly int[] _regexes;

    private KeyHits(LoreBookIndex index, string text, int limit, List<string> warnings, int[] needles)
    {
        _index = index;
        _text = text;
        _limit = limit;
        _warnings = warnings;
        _needles = needles;
        _regexes = new int[index.Regexes.Length];
        Array.Fill(_regexes, NotRun);
    }

    /// <summary>The first position of <paramref name="key"/>, or <see cref="None"/>.</summary>
    public int First(KeyRef key) => key.IsRegex ? Regex(key.Index) : _needles[key.Index * 4 + key.Mode];

    /// <summary>A regex key's first match; one that runs past <see cref="LoreKeys.MatchTimeout"/> counts as none and is
    /// reported.</summary>
    private int Regex(int r)
    {
        if (_regexes[r] != NotRun)
        {
            return _regexes[r];
        }
        _regexes[r] = None;
        if (_index.Regexes[r] is { } regex && _limit > 0)
        {
            try
            {
                var match = regex.Match(_text, 0, _limit);
                if (match.Success)
                {
                    _regexes[r] = match.Index;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                _warnings.Add(
                    $"Book \"{_index.Source.Book.Name}\": key {_index.RegexKeys[r]} took longer than "
                        + $"{LoreKeys.MatchTimeout.TotalMilliseconds} ms and counted as not matching."
                );
            }
        }
        return _regexes[r];
    }

    /// <summary>
    /// One pass over the first <paramref name="limit"/> characters: at each position, the needles filed under the four
    /// (and three) characters there; then each short needle. Regex keys wait until asked for.
    /// </summary>
    public static KeyHits Scan(LoreBookIndex index, ScanText scan, int limit, List<string> warnings)
    {
        var needles = new int[index.Needles.Length * 4];
        Array.Fill(needles, None);
        var text = scan.Text;
        if (index.Needles.Length > 0 && limit > 0)
        {
            var span = text.AsSpan(0, limit);
            var lower = scan.Lower.AsSpan(0, limit);
            var remaining = index.NeededSlots;
            // A rolling window of the last four characters, 16 bits each: one shift per character, then a filter
            // load per table; only positions that pass are looked up.
            var (four, three) = (index.ByFour, index.ByThree);
            var window = 0UL;
            for (var i = 0; i < lower.Length && remaining > 0; i++)
            {
                window = (window << 16) | lower[i];
                if (i >= 3 && four.Count > 0 && four.MayHold(window))
                {
                    foreach (var n in four.Find(window))
                    {
                        remaining -= Record(index, n, span, lower, i - 3, needles);
                    }
                }
                if (i >= 2 && three.Count > 0 && three.MayHold(window & PrefixTable.ThreeMask))
                {
                    foreach (var n in three.Find(window & PrefixTable.ThreeMask))
                    {
                        remaining -= Record(index, n, span, lower, i - 2, needles);
                    }
                }
            }
            foreach (var n in index.ShortNeedles)
            {
                for (var at = 0; at < lower.Length; )
                {
                    var found = lower[at..].IndexOf(index.LowerNeedles[n], StringComparison.Ordinal);
                    if (found < 0)
                    {
                        break;
                    }
                    Record(index, n, span, lower, at + found, needles);
                    at += found + 1;
                }
            }
        }
        return new KeyHits(index, text, limit, warnings, needles);
    }

    /// <summary>Records needle <paramref name="n"/> at <paramref name="p"/> in each mode it is wanted in and is met;
    /// returns how many were new.</summary>
    private static int Record(
        LoreBookIndex index,
        int n,
        ReadOnlySpan<char> text,
        ReadOnlySpan<char> lower,
        int p,
        int[] first
    )
    {
        var needle = index.Needles[n];
        if (p + needle.Length > text.Length || !lower.Slice(p, needle.Length).SequenceEqual(index.LowerNeedles[n]))
        {
            return 0;
        }
        var recorded = 0;
        var wanted = index.Modes[n];
        for (var mode = 0; mode < 4; mode++)
        {
            if ((wanted & (1 << mode)) == 0 || first[n * 4 + mode] != None)
            {
                continue;
            }
            if ((mode & 1) != 0 && !text.Slice(p, needle.Length).SequenceEqual(needle))
            {
                continue;
            }
            if ((mode & 2) != 0 && !(IsBoundary(text, p - 1) && IsBoundary(text, p + needle.Length)))
            {
                continue;
            }
            first[n * 4 + mode] = p;
            recorded++;
        }
        return recorded;
    }

    // SillyTavern's boundary is JavaScript's \W (ASCII only); letters and digits of every script count as word
    // characters here, so "Tor" does not match inside "Torvik" in any alphabet (docs/lore.md).
    private static bool IsBoundary(ReadOnlySpan<char> text, int i) =>
        i < 0 || i >= text.Length || !(char.IsLetterOrDigit(text[i]) || text[i] == '_');
}
