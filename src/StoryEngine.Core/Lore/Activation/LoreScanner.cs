using System.Text;
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
    public IReadOnlyList<ScanSegment> Segments { get; }

    /// <param name="segments">Newest first, with non-decreasing depths.</param>
    public static ScanText Build(IReadOnlyList<ScanSegment> segments)
    {
        var text = new StringBuilder();
        var starts = new int[segments.Count];
        var maxDepth = segments.Count == 0 ? 0 : segments.Max(s => s.Depth);
        var depthEnds = new int[maxDepth + 1];
        for (var i = 0; i < segments.Count; i++)
        {
            if (i > 0)
            {
                text.Append(Joiner);
            }
            starts[i] = text.Length;
            text.Append(segments[i].Text);
            depthEnds[segments[i].Depth] = text.Length;
        }
        for (var d = 1; d <= maxDepth; d++)
        {
            depthEnds[d] = Math.Max(depthEnds[d], depthEnds[d - 1]);
        }
        return new ScanText(text.ToString(), starts, segments, depthEnds);
    }

    /// <summary>Recursion text: the content of entries that fired, one segment each (their depth is unused).</summary>
    public static ScanText Build(IReadOnlyList<string> contents) =>
        Build(contents.Select((c, i) => new ScanSegment(0, 0, i.ToString(System.Globalization.CultureInfo.InvariantCulture), c)).ToArray());

    /// <summary>Where the text seen at scan depth <paramref name="depth"/> ends.</summary>
    public int End(int depth) => depth <= 0 ? 0 : _depthEnds[Math.Min(depth, _depthEnds.Length - 1)];

    /// <summary>The segment a position falls in.</summary>
    public int SegmentAt(int position)
    {
        var i = Array.BinarySearch(_starts, position);
        return i >= 0 ? i : ~i - 1;
    }
}

/// <summary>Where each key of one book first occurs in one text: a position per needle and mode, and per regex.</summary>
internal sealed class KeyHits
{
    public const int None = int.MaxValue;

    private readonly int[] _needles;
    private readonly int[] _regexes;

    private KeyHits(int[] needles, int[] regexes)
    {
        _needles = needles;
        _regexes = regexes;
    }

    /// <summary>The first position of <paramref name="key"/>, or <see cref="None"/>.</summary>
    public int First(KeyRef key) => key.IsRegex ? _regexes[key.Index] : _needles[key.Index * 4 + key.Mode];

    /// <summary>
    /// One pass of the book's multi-string searcher over the first <paramref name="limit"/> characters, then each
    /// regex once. A regex that runs past <see cref="LoreKeys.MatchTimeout"/> counts as not matching and is reported.
    /// </summary>
    public static KeyHits Scan(LoreBookIndex index, string text, int limit, List<string> warnings)
    {
        var needles = new int[index.Needles.Length * 4];
        Array.Fill(needles, None);
        var span = text.AsSpan(0, limit);
        if (index.Search is { } search)
        {
            var remaining = index.NeededSlots;
            var at = 0;
            while (remaining > 0 && at < span.Length)
            {
                var found = span[at..].IndexOfAny(search);
                if (found < 0)
                {
                    break;
                }
                var p = at + found;
                foreach (var n in index.Candidates(span[p..]))
                {
                    remaining -= Record(index, n, span, p, needles);
                }
                at = p + 1;
            }
        }
        var regexes = new int[index.Regexes.Length];
        for (var r = 0; r < regexes.Length; r++)
        {
            regexes[r] = None;
            if (index.Regexes[r] is not { } regex || limit == 0)
            {
                continue;
            }
            try
            {
                var match = regex.Match(text, 0, limit);
                if (match.Success)
                {
                    regexes[r] = match.Index;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                warnings.Add($"Book \"{index.Source.Book.Name}\": key {index.RegexKeys[r]} took longer than {LoreKeys.MatchTimeout.TotalMilliseconds} ms and counted as not matching.");
            }
        }
        return new KeyHits(needles, regexes);
    }

    /// <summary>Records needle <paramref name="n"/> at <paramref name="p"/> in each mode it is wanted in and is met; returns how many were new.</summary>
    private static int Record(LoreBookIndex index, int n, ReadOnlySpan<char> text, int p, int[] first)
    {
        var needle = index.Needles[n];
        if (p + needle.Length > text.Length || !text.Slice(p, needle.Length).Equals(needle, StringComparison.OrdinalIgnoreCase))
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
