using System.Text;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Lore;

namespace StoryEngine.Formats.Transfer;

/// <summary>Imports lorebook files into a world and exports world lorebooks, for the API and the CLI alike.</summary>
public sealed class LorebookTransfer(ResourceService<Lorebook> lorebooks)
{
    /// <param name="fileName">The uploaded file's name: World Info files carry no name of their own, so it names the
    /// book.</param>
    public async Task<StoredResource<Lorebook>> ImportAsync(
        ResourceScope world,
        ReadOnlyMemory<byte> file,
        string? fileName,
        CancellationToken cancellationToken
    )
    {
        var fallback = string.IsNullOrWhiteSpace(fileName)
            ? "Imported lorebook"
            : Path.GetFileNameWithoutExtension(fileName.Trim());
        var book = LorebookFile.Read(file, string.IsNullOrWhiteSpace(fallback) ? "Imported lorebook" : fallback);
        return await lorebooks.CreateAsync(world, book, cancellationToken);
    }

    public async Task<ExportedFile> ExportAsync(
        ResourceScope world,
        string id,
        LorebookFormat format,
        CancellationToken cancellationToken
    )
    {
        var book = (await lorebooks.GetAsync(world, id, cancellationToken)).Body;
        return Export(book, format);
    }

    public static ExportedFile Export(Lorebook book, LorebookFormat format)
    {
        var json = LorebookFile.Write(book, format).ToJsonString(CardJson.Indented);
        return new ExportedFile(
            Encoding.UTF8.GetBytes(json),
            "application/json",
            ExportedFile.SafeName(book.Name, LorebookFile.Extension(format), "lorebook")
        );
    }
}
