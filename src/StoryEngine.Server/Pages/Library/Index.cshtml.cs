using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Images;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Library;

/// <summary>The library: worlds, characters (of one world) and personas, searchable, tag-filtered and paged, with their
/// trash.</summary>
public sealed class LibraryModel(
    ResourceService<World> worlds,
    ResourceService<Persona> personas,
    ResourceService<Character> characters,
    Portraits portraits,
    ImageOptions imageOptions
) : StoryPageModel
{
    public static readonly string[] Kinds = ["worlds", "characters", "personas"];

    [BindProperty(SupportsGet = true)]
    public string Kind { get; set; } = "worlds";

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Tag { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? World { get; set; }

    /// <summary>One row of whichever list is shown.</summary>
    public sealed record Item(
        string Id,
        string Name,
        string Summary,
        IReadOnlyList<string> Tags,
        string? Link,
        Portrait? Picture = null
    );

    /// <summary>The upload/remove forms of a persona's avatar (the personas tab).</summary>
    public PictureForms AvatarForms(Item persona) => new("persona", persona.Id, null, persona.Picture!, imageOptions);

    public IReadOnlyList<Item> Items { get; private set; } = [];

    public IReadOnlyList<Item> Trash { get; private set; } = [];

    public IReadOnlyList<StoredResource<World>> AllWorlds { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await LoadAsync(cancellationToken);
                return Page();
            },
            () => LoadWorldsAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostCreateWorldAsync(
        string? name,
        string? genre,
        string? tags,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var created = await worlds.CreateAsync(
                    new(UserId, null),
                    new World
                    {
                        Name = name ?? "",
                        Genre = genre ?? "",
                        Tags = FormText.List(tags),
                    },
                    cancellationToken
                );
                return Done($"Created the world {created.Body.Name}.", $"/worlds/{created.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostCreatePersonaAsync(
        string? name,
        string? description,
        string? tags,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var created = await personas.CreateAsync(
                    new(UserId, null),
                    new Persona
                    {
                        Name = name ?? "",
                        Description = description ?? "",
                        Tags = FormText.List(tags),
                    },
                    cancellationToken
                );
                return Done($"Created the persona {created.Body.Name}.", "/library?kind=personas");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostEditPersonaAsync(
        string id,
        long version,
        string? name,
        string? description,
        string? tags,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                await personas.ReplaceAsync(
                    new(UserId, null),
                    id,
                    new Persona
                    {
                        Name = name ?? "",
                        Description = description ?? "",
                        Tags = FormText.List(tags),
                    },
                    version,
                    cancellationToken
                );
                return Done("Saved the persona.", "/library?kind=personas");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostDeleteAsync(string id, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                if (Kind == "personas")
                {
                    await personas.DeleteAsync(new(UserId, null), id, null, cancellationToken);
                }
                else
                {
                    await worlds.DeleteAsync(new(UserId, null), id, null, cancellationToken);
                }
                return Done("Moved to the trash. You can restore it below for 30 days.", $"/library?kind={Kind}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRestoreAsync(string id, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                if (Kind == "personas")
                {
                    await personas.RestoreAsync(new(UserId, null), id, cancellationToken);
                }
                else
                {
                    await worlds.RestoreAsync(new(UserId, null), id, cancellationToken);
                }
                return Done("Restored.", $"/library?kind={Kind}");
            },
            () => LoadAsync(cancellationToken)
        );

    public IReadOnlyList<StoredResource<Persona>> Personas { get; private set; } = [];

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (!Kinds.Contains(Kind))
        {
            Kind = "worlds";
        }
        await LoadWorldsAsync(cancellationToken);
        var query = ListQuery.From(20, Cursor, Q, string.IsNullOrWhiteSpace(Tag) ? null : [Tag]);
        var trashQuery = ListQuery.From(20, null, null, null);
        switch (Kind)
        {
            case "personas":
                var page = await personas.ListAsync(new(UserId, null), query, cancellationToken);
                Personas = page.Items;
                Items = page
                    .Items.Select(p => new Item(p.Id, p.Body.Name, p.Body.Description, p.Body.Tags, null))
                    .ToArray();
                NextCursor = page.NextCursor;
                Trash = (await personas.ListTrashAsync(new(UserId, null), trashQuery, cancellationToken))
                    .Items.Select(p => new Item(p.Id, p.Body.Name, p.Body.Description, p.Body.Tags, null))
                    .ToArray();
                break;
            case "characters":
                World ??= AllWorlds.FirstOrDefault()?.Id;
                if (World is not null)
                {
                    var cast = await characters.ListAsync(new(UserId, World), query, cancellationToken);
                    Items = cast
                        .Items.Select(c => new Item(
                            c.Id,
                            c.Body.Name,
                            c.Body.Description,
                            c.Body.Tags,
                            $"/worlds/{World}/characters/{c.Id}"
                        ))
                        .ToArray();
                    NextCursor = cast.NextCursor;
                }
                break;
            default:
                var list = await worlds.ListAsync(new(UserId, null), query, cancellationToken);
                Items = list
                    .Items.Select(w => new Item(
                        w.Id,
                        w.Body.Name,
                        w.Body.Genre.Length > 0 ? $"{w.Body.Genre}. {w.Body.Description}" : w.Body.Description,
                        w.Body.Tags,
                        $"/worlds/{w.Id}"
                    ))
                    .ToArray();
                NextCursor = list.NextCursor;
                Trash = (await worlds.ListTrashAsync(new(UserId, null), trashQuery, cancellationToken))
                    .Items.Select(w => new Item(w.Id, w.Body.Name, w.Body.Description, w.Body.Tags, null))
                    .ToArray();
                break;
        }
        await AddPicturesAsync(cancellationToken);
    }

    /// <summary>Avatars of characters and personas, covers of worlds (issue 18), one query for the page.</summary>
    private async Task AddPicturesAsync(CancellationToken cancellationToken)
    {
        var (kind, parent) = Kind switch
        {
            "personas" => (PictureKind.PersonaAvatar, (string?)null),
            "characters" => (PictureKind.CharacterAvatar, World),
            _ => (PictureKind.WorldCover, null),
        };
        var found = await portraits.ForAsync(
            kind,
            UserId,
            parent,
            Items.Select(i => (i.Id, i.Name)).ToArray(),
            cancellationToken
        );
        Items = Items.Select(i => i with { Picture = found[i.Id] }).ToArray();
    }

    private async Task LoadWorldsAsync(CancellationToken cancellationToken) =>
        AllWorlds = (
            await worlds.ListAsync(
                new(UserId, null),
                ListQuery.From(ListQuery.MaxLimit, null, null, null),
                cancellationToken
            )
        ).Items;
}
