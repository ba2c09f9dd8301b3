using System.IO.Compression;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;

namespace StoryEngine.Formats.Cards;

/// <summary>
/// CHARX files: a zip with the V3 card as <c>card.json</c> at its root and assets beside it, addressed by
/// <c>embeded://path</c> (../shared/specs/character-cards.md §1). Reading is guarded against zip bombs: a cap on
/// entries, on total unpacked bytes (counted while unpacking, never taken from the headers) and on each entry's
/// compression ratio.
/// </summary>
public static class CharxArchive
{
    public const string CardEntry = "card.json";
    public const int MaxEntries = 1_000;
    public const long MaxUnpackedBytes = 64L * 1024 * 1024;
    public const int MaxRatio = 200;

    /// <summary>Small entries may compress far better than this without being a bomb: a run of spaces, an empty JSON
    /// file.</summary>
    private const long RatioFloorBytes = 1024 * 1024;

    public static bool HasSignature(ReadOnlySpan<byte> file) =>
        file.StartsWith("PK\x03\x04"u8) || file.StartsWith("PK\x05\x06"u8);

    /// <summary>The card's JSON and every other file in the archive.</summary>
    /// <exception cref="InvalidFileException">The zip is broken, has no card.json, or unpacks beyond the
    /// limits.</exception>
    public static (byte[] Card, IReadOnlyList<CharacterFile> Files) Read(ReadOnlyMemory<byte> file)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(file.ToArray(), writable: false), ZipArchiveMode.Read);
            if (archive.Entries.Count > MaxEntries)
            {
                throw InvalidFileException.Card(
                    $"The CHARX file has {archive.Entries.Count} entries; at most " + $"{MaxEntries} are accepted."
                );
            }
            byte[]? card = null;
            var files = new List<CharacterFile>();
            long unpacked = 0;
            foreach (var entry in archive.Entries)
            {
                RequirePlainRelativePath(entry.FullName);
                if (entry.FullName.EndsWith('/'))
                {
                    continue; // a folder
                }
                var bytes = Unpack(entry, ref unpacked);
                if (entry.FullName == CardEntry)
                {
                    card = bytes;
                }
                else
                {
                    files.Add(new CharacterFile(entry.FullName, MediaTypes.ForPath(entry.FullName), bytes));
                }
            }
            return (card ?? throw InvalidFileException.Card("The CHARX file has no card.json at its root."), files);
        }
        catch (InvalidDataException e)
        {
            throw InvalidFileException.Card($"The file is not a readable zip (CHARX): {e.Message}");
        }
        catch (NotSupportedException e)
        {
            // Encrypted entries, or a compression method .NET does not read; the spec says CHARX SHOULD NOT be
            // encrypted.
            throw InvalidFileException.Card($"The CHARX file uses a zip feature we cannot read: {e.Message}");
        }
    }

    /// <summary>
    /// Refuses an entry name that is not a plain relative path: one that climbs out (<c>..</c>), is absolute
    /// (<c>/x</c>, <c>C:x</c>, <c>\\server\x</c>), uses backslashes (a separator on Windows, a character elsewhere),
    /// or holds control characters. The whole archive is refused, not the entry: a card that carries such a name
    /// was made by something we should not trust, and a name we keep is written back into exports (issue 15).
    /// </summary>
    /// <exception cref="UnsafeArchiveEntryException">The name is not a plain relative path.</exception>
    public static void RequirePlainRelativePath(string name)
    {
        var path = name.EndsWith('/') ? name[..^1] : name;
        var why =
            path.Length == 0 ? "it is empty"
            : path.StartsWith('/') ? "it is absolute"
            : path.Contains('\\', StringComparison.Ordinal) ? "it contains a backslash"
            : path.Contains(':', StringComparison.Ordinal) ? "it contains ':' (a drive letter or stream name)"
            : path.Any(char.IsControl) ? "it contains a control character"
            : path.Split('/').Any(s => s is "" or "." or "..") ? "it has an empty, '.' or '..' segment"
            : null;
        if (why is not null)
        {
            var shown = string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
            throw new UnsafeArchiveEntryException(
                shown,
                $"The CHARX file has an entry named '{shown}', which is not a plain relative path: {why}. "
                    + "Nothing was imported."
            );
        }
    }

    public static byte[] Write(byte[] card, IEnumerable<CharacterFile> files)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(archive, CardEntry, card, CompressionLevel.Optimal);
            foreach (var file in files)
            {
                // Pictures and sound are compressed already; squeezing them again costs time for nothing.
                Add(
                    archive,
                    file.Path,
                    file.Data,
                    MediaTypes.IsCompressed(file.MediaType) ? CompressionLevel.NoCompression : CompressionLevel.Optimal
                );
            }
        }
        return output.ToArray();
    }

    private static void Add(ZipArchive archive, string path, byte[] data, CompressionLevel level)
    {
        using var stream = archive.CreateEntry(path, level).Open();
        stream.Write(data);
    }

    private static byte[] Unpack(ZipArchiveEntry entry, ref long unpacked)
    {
        var limit = MaxUnpackedBytes - unpacked;
        var ratioLimit = Math.Max(RatioFloorBytes, entry.CompressedLength * MaxRatio);
        using var source = entry.Open();
        using var target = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            target.Write(buffer, 0, read);
            if (target.Length > limit)
            {
                throw InvalidFileException.Card(
                    "The CHARX file unpacks to more than "
                        + $"{MaxUnpackedBytes / (1024 * 1024)} MB; it is refused as a possible zip bomb."
                );
            }
            if (target.Length > ratioLimit)
            {
                throw InvalidFileException.Card(
                    $"The CHARX entry '{entry.FullName}' unpacks to more than {MaxRatio} times its packed size; it "
                        + "is refused as a possible zip bomb."
                );
            }
        }
        unpacked += target.Length;
        return target.ToArray();
    }
}
