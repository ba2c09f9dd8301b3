using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Images;
using StoryEngine.Core.Locations;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Worlds;

/// <summary>The world editor: the setting and narrator notes, the locations as a tree, characters, lorebooks and the
/// trash.</summary>
public sealed class EditModel(
    ResourceService<World> worlds,
    ResourceService<Location> locations,
    ResourceService<Character> characters,
    ResourceService<Lorebook> lorebooks,
    Portraits portraits,
    ImageOptions imageOptions
) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public StoredResource<World> World { get; private set; } = null!;

    public IReadOnlyList<StoredResource<Location>> Locations { get; private set; } = [];

    public IReadOnlyList<StoredResource<Character>> Characters { get; private set; } = [];

    public IReadOnlyList<StoredResource<Lorebook>> Lorebooks { get; private set; } = [];

    /// <summary>The world's cover, and the forms that change it.</summary>
    public PictureForms Cover { get; private set; } = null!;

    /// <summary>The characters' avatars, by character id.</summary>
    public IReadOnlyDictionary<string, Portrait> Avatars { get; private set; } = new Dictionary<string, Portrait>();

    /// <summary>Deleted children that can still be restored: kind ("location", "character", "lorebook"), id and
    /// name.</summary>
    public IReadOnlyList<(string Kind, string Id, string Name)> Trash { get; private set; } = [];

    /// <summary>The locations under <paramref name="parentId"/> (null: the top level), for the tree.</summary>
    public IEnumerable<StoredResource<Location>> ChildrenOf(string? parentId) =>
        Locations
            .Where(l =>
                l.Body.ParentId == parentId
                || (parentId is null && l.Body.ParentId is not null && Locations.All(p => p.Id != l.Body.ParentId))
            )
            .OrderBy(l => l.Body.Name, StringComparer.CurrentCulture);

    private ResourceScope Top => new(UserId, null);

    private ResourceScope Inside => new(UserId, Id);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostSaveAsync(
        long version,
        string? name,
        string? genre,
        string? tone,
        string? description,
        string? rules,
        string? style,
        string? tags,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var current = await worlds.GetAsync(Top, Id, cancellationToken);
                await worlds.ReplaceAsync(
                    Top,
                    Id,
                    current.Body with
                    {
                        Name = name ?? "",
                        Genre = genre ?? "",
                        Tone = tone ?? "",
                        Description = description ?? "",
                        Rules = rules ?? "",
                        Style = style ?? "",
                        Tags = FormText.List(tags),
                    },
                    version,
                    cancellationToken
                );
                return Done("Saved the world.", Here);
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostAddLocationAsync(
        string? name,
        string? description,
        string? parentId,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var created = await locations.CreateAsync(
                    Inside,
                    new Location
                    {
                        Name = name ?? "",
                        Description = description ?? "",
                        ParentId = Blank(parentId),
                    },
                    cancellationToken
                );
                return Done($"Added {created.Body.Name}.", Here + "#locations-h");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostEditLocationAsync(
        string locationId,
        long version,
        string? name,
        string? description,
        string? parentId,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var current = await locations.GetAsync(Inside, locationId, cancellationToken);
                await locations.ReplaceAsync(
                    Inside,
                    locationId,
                    current.Body with
                    {
                        Name = name ?? "",
                        Description = description ?? "",
                        ParentId = Blank(parentId),
                    },
                    version,
                    cancellationToken
                );
                return Done("Saved the location.", Here + "#locations-h");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostAddCharacterAsync(
        string? name,
        string? description,
        string? firstMessage,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var created = await characters.CreateAsync(
                    Inside,
                    new Character
                    {
                        Name = name ?? "",
                        Description = description ?? "",
                        FirstMessage = firstMessage ?? "",
                    },
                    cancellationToken
                );
                return Done($"Added {created.Body.Name}.", $"/worlds/{Id}/characters/{created.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostAddLorebookAsync(string? name, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var created = await lorebooks.CreateAsync(
                    Inside,
                    new Lorebook { Name = name ?? "" },
                    cancellationToken
                );
                return Done($"Created the lorebook {created.Body.Name}.", $"/worlds/{Id}/lorebooks/{created.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostTrashAsync(string kind, string itemId, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                switch (kind)
                {
                    case "location":
                        await locations.DeleteAsync(Inside, itemId, null, cancellationToken);
                        break;
                    case "character":
                        await characters.DeleteAsync(Inside, itemId, null, cancellationToken);
                        break;
                    case "lorebook":
                        await lorebooks.DeleteAsync(Inside, itemId, null, cancellationToken);
                        break;
                    default:
                        return BadRequest();
                }
                return Done($"Moved the {kind} to the trash; restore it below within 30 days.", Here + "#trash-h");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRestoreAsync(string kind, string itemId, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                switch (kind)
                {
                    case "location":
                        await locations.RestoreAsync(Inside, itemId, cancellationToken);
                        break;
                    case "character":
                        await characters.RestoreAsync(Inside, itemId, cancellationToken);
                        break;
                    case "lorebook":
                        await lorebooks.RestoreAsync(Inside, itemId, cancellationToken);
                        break;
                    default:
                        return BadRequest();
                }
                return Done($"Restored the {kind}.", Here);
            },
            () => LoadAsync(cancellationToken)
        );

    private string Here => $"/worlds/{Id}";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        World = await worlds.GetAsync(Top, Id, cancellationToken);
        Locations = await AllAsync(locations, deleted: false, cancellationToken);
        Characters = await AllAsync(characters, deleted: false, cancellationToken);
        Lorebooks = await AllAsync(lorebooks, deleted: false, cancellationToken);
        var cover = await portraits.OneAsync(
            PictureKind.WorldCover,
            UserId,
            null,
            Id,
            World.Body.Name,
            cancellationToken
        );
        Cover = new PictureForms("world", Id, null, cover, imageOptions);
        Avatars = await portraits.ForAsync(
            PictureKind.CharacterAvatar,
            UserId,
            Id,
            Characters.Select(c => (c.Id, c.Body.Name)).ToArray(),
            cancellationToken
        );
        Trash =
        [
            .. (await AllAsync(locations, deleted: true, cancellationToken)).Select(l =>
                ("location", l.Id, l.Body.Name)
            ),
            .. (await AllAsync(characters, deleted: true, cancellationToken)).Select(c =>
                ("character", c.Id, c.Body.Name)
            ),
            .. (await AllAsync(lorebooks, deleted: true, cancellationToken)).Select(b =>
                ("lorebook", b.Id, b.Body.Name)
            ),
        ];
    }

    // One page of the most a list gives; a world with more shows the first 200 of each, which the editor says.
    private async Task<IReadOnlyList<StoredResource<T>>> AllAsync<T>(
        ResourceService<T> service,
        bool deleted,
        CancellationToken cancellationToken
    )
        where T : class, IResourceBody<T>
    {
        var query = ListQuery.From(ListQuery.MaxLimit, null, null, null);
        var page = deleted
            ? await service.ListTrashAsync(Inside, query, cancellationToken)
            : await service.ListAsync(Inside, query, cancellationToken);
        return page.Items;
    }
}
