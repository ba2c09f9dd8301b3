namespace StoryEngine.Core.Resources;

/// <summary>
/// What a list shows of one piece of world data: enough to find and pick it, not the whole thing. A list page of 50
/// imported cards carried every field of every card (568 KB); the full resource comes from its own GET (issue 19).
/// </summary>
public sealed record ResourceSummary(
    string Id,
    string? ParentId,
    string Name,
    IReadOnlyList<string> Tags,
    string Description,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt
)
{
    /// <summary>The content hash of the item's picture (avatar or cover) when its kind has pictures and it has one,
    /// read with the summary so a list page needs no second query for its picture URLs (issue 19).</summary>
    public string? PictureHash { get; init; }

    /// <summary>The longest description a summary carries, in characters (before the ellipsis).</summary>
    public const int DescriptionLength = 200;

    public static ResourceSummary Of<TBody>(StoredResource<TBody> resource)
        where TBody : IResourceBody<TBody> =>
        new(
            resource.Id,
            resource.ParentId,
            resource.Body.Name,
            resource.Body.Tags,
            Shorten(resource.Body.Description),
            resource.Version,
            resource.CreatedAt,
            resource.UpdatedAt,
            resource.DeletedAt
        );

    /// <summary>The description's opening, cut at a word boundary and marked with an ellipsis when it was
    /// longer.</summary>
    public static string Shorten(string description)
    {
        var text = description.Trim();
        if (text.Length <= DescriptionLength)
        {
            return text;
        }
        var cut = text.LastIndexOfAny([' ', '\n', '\t'], DescriptionLength);
        // A single 200-character word (a URL) is cut where the limit falls rather than dropped whole.
        var end = cut > DescriptionLength / 2 ? cut : DescriptionLength;
        return string.Concat(text.AsSpan(0, end).TrimEnd(), "…");
    }
}
