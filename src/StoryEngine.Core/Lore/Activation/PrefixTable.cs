namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// Needles by their first few characters (packed into a <see cref="ulong"/>), for the one-pass key scan: a bit filter
/// rejects most text positions on one load, and an open-addressed table (at most a quarter full) gives the rest their
/// needles without a dictionary lookup. Written by hand because the scan asks it once per character of the recent
/// turns; <see cref="System.Buffers.SearchValues"/> finds strings but not all of them, nor each one's first position.
/// </summary>
internal sealed class PrefixTable
{
    private const int FilterBits = 1 << 18;

    private readonly ulong[] _filter = new ulong[FilterBits / 64];
    private readonly ulong[] _prefixes;
    private readonly int[] _starts;
    private readonly int[] _needles;
    private readonly int _mask;

    /// <param name="needles">Each needle's prefix and index.</param>
    public PrefixTable(IEnumerable<(ulong Prefix, int Needle)> needles)
    {
        var byPrefix = needles.GroupBy(n => n.Prefix).ToDictionary(g => g.Key, g => g.Select(n => n.Needle).ToArray());
        Count = byPrefix.Count;
        var slots = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, byPrefix.Count * 4));
        _mask = slots - 1;
        _prefixes = new ulong[slots];
        var lists = new int[slots][];
        foreach (var (prefix, found) in byPrefix)
        {
            var hash = Hash(prefix);
            var slot = hash & _mask;
            while (lists[slot] is not null)
            {
                slot = (slot + 1) & _mask;
            }
            _prefixes[slot] = prefix;
            lists[slot] = found;
            var bit = hash & (FilterBits - 1);
            _filter[bit >> 6] |= 1UL << (bit & 63);
        }
        _starts = new int[slots + 1];
        _needles = new int[byPrefix.Values.Sum(v => v.Length)];
        for (var slot = 0; slot < slots; slot++)
        {
            _starts[slot + 1] = _starts[slot] + (lists[slot]?.Length ?? 0);
            lists[slot]?.CopyTo(_needles, _starts[slot]);
        }
    }

    /// <summary>How many distinct prefixes; an empty table is never asked.</summary>
    public int Count { get; }

    /// <summary>False when no needle begins with <paramref name="prefix"/>; true when one may (ask <see
    /// cref="Find"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool MayHold(ulong prefix)
    {
        var bit = Hash(prefix) & (FilterBits - 1);
        return (_filter[bit >> 6] & (1UL << (bit & 63))) != 0;
    }

    /// <summary>The needles that begin with <paramref name="prefix"/>.</summary>
    public ReadOnlySpan<int> Find(ulong prefix)
    {
        var hash = Hash(prefix);
        // A slot with no needles is empty and ends the probe.
        for (var slot = hash & _mask; _starts[slot + 1] > _starts[slot]; slot = (slot + 1) & _mask)
        {
            if (_prefixes[slot] == prefix)
            {
                return _needles.AsSpan(_starts[slot], _starts[slot + 1] - _starts[slot]);
            }
        }
        return default;
    }

    /// <summary>The first <paramref name="length"/> (at most four) characters packed 16 bits each, as the scan's
    /// rolling window holds them.</summary>
    public static ulong Pack(ReadOnlySpan<char> text, int length)
    {
        var packed = 0UL;
        for (var i = 0; i < length; i++)
        {
            packed = (packed << 16) | text[i];
        }
        return packed;
    }

    /// <summary>Keeps the last three characters of a rolling window of four.</summary>
    public const ulong ThreeMask = 0xFFFF_FFFF_FFFF;

    /// <summary>Fibonacci hashing: the top 30 bits of the product, whose low bits pick the filter bit and the
    /// slot.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Hash(ulong prefix) => (int)((prefix * 0x9E3779B97F4A7C15UL) >> 34);
}
