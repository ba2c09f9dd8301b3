using StoryEngine.Core.Lore;

namespace StoryEngine.Formats.Lore;

/// <summary>Gives every entry a unique id: the file's own where it has a usable, unused one, else the next free
/// number.</summary>
internal static class EntryIds
{
    public static IReadOnlyList<LoreEntry> Assign(IReadOnlyList<(LoreEntry Entry, int? FileId)> read)
    {
        var used = new HashSet<int>();
        var keep = read.Select(r => r.FileId is { } id && id >= 0 && used.Add(id)).ToArray();
        var next = used.Count == 0 ? 0 : used.Max() + 1;
        return read.Select((r, i) => r.Entry with { Id = keep[i] ? r.FileId!.Value : next++ }).ToArray();
    }
}
