using System.Globalization;
using StoryEngine.Core.Images;
using StoryEngine.Formats.Images;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Web;

/// <summary>
/// A picture as a page shows it: its URL under <c>/pictures</c> (null: the initials placeholder), the name of whom or
/// what it shows, and its alt text ("Avatar of Ada", "Cover of Eldoria").
/// </summary>
public sealed record Portrait(string? Url, string Name, string Alt)
{
    /// <summary>Up to two letters for the placeholder: the first letters of the first two words.</summary>
    public string Initials
    {
        get
        {
            var words = Name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var letters = words
                .Take(2)
                .Select(w => StringInfo.GetNextTextElementLength(w) is var n and > 0 ? w[..n] : "")
                .Select(l => l.ToUpperInvariant());
            var initials = string.Concat(letters);
            return initials.Length > 0 ? initials : "?";
        }
    }
}

/// <summary>The portraits of a page's characters, personas or worlds, with one query per list.</summary>
public sealed class Portraits(PictureService pictures)
{
    /// <summary>
    /// A portrait for each of <paramref name="items"/>, by id. <paramref name="parentId"/> is the world of
    /// characters (null for personas and worlds).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Portrait>> ForAsync(
        PictureKind kind,
        string ownerId,
        string? parentId,
        IReadOnlyCollection<(string Id, string Name)> items,
        CancellationToken cancellationToken
    )
    {
        var hashes = await pictures.HashesAsync(ownerId, kind, items.Select(i => i.Id).ToArray(), cancellationToken);
        var noun = kind == PictureKind.WorldCover ? "Cover" : "Avatar";
        return items
            .DistinctBy(i => i.Id)
            .ToDictionary(
                i => i.Id,
                i => new Portrait(
                    hashes.TryGetValue(i.Id, out var hash)
                        ? PictureUrls.Web(PictureUrls.Target(kind, ownerId, parentId, i.Id), hash)
                        : null,
                    i.Name,
                    $"{noun} of {i.Name}"
                ),
                StringComparer.Ordinal
            );
    }

    public async Task<Portrait> OneAsync(
        PictureKind kind,
        string ownerId,
        string? parentId,
        string id,
        string name,
        CancellationToken cancellationToken
    ) => (await ForAsync(kind, ownerId, parentId, [(id, name)], cancellationToken))[id];
}
