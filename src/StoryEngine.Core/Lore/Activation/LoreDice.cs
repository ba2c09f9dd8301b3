using System.Text;

namespace StoryEngine.Core.Lore.Activation;

/// <summary>
/// Probability rolls seeded by adventure, turn number, book and entry, so narrating a turn again (a retry, or a crash
/// and resume) sees the same lore (issue 5: "activation is deterministic for a given turn").
/// </summary>
public static class LoreDice
{
    /// <summary>A number from 0 to 99; the entry fires when it is below its probability.</summary>
    public static int Roll(string adventureId, int turnNumber, string bookId, int entryId)
    {
        // FNV-1a: stable across processes and runtimes, unlike string.GetHashCode, and cheap enough for every entry.
        var hash = 14695981039346656037UL;
        Mix(ref hash, adventureId);
        Mix(ref hash, turnNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Mix(ref hash, bookId);
        Mix(ref hash, entryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The low bits of FNV mix poorly; fold the high half in before reducing.
        return (int)((hash ^ (hash >> 32)) % 100);
    }

    private static void Mix(ref ulong hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes =
            Encoding.UTF8.GetByteCount(text) <= buffer.Length
                ? buffer[..Encoding.UTF8.GetBytes(text, buffer)]
                : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        hash = (hash ^ 0xFF) * 1099511628211UL; // a separator, so ("ab","c") and ("a","bc") differ
    }
}
