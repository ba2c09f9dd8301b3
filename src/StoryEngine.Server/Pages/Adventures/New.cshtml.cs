using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Locations;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Adventures;

/// <summary>
/// Starting an adventure: pick the world first (its characters and places are then offered), the persona, who is
/// there, and where it starts. Works without JavaScript as two steps.
/// </summary>
public sealed class NewModel(
    AdventureService adventures,
    ResourceService<World> worlds,
    ResourceService<Persona> personas,
    ResourceService<Character> characters,
    ResourceService<Location> locations
) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? World { get; set; }

    public IReadOnlyList<StoredResource<World>> Worlds { get; private set; } = [];

    public IReadOnlyList<StoredResource<Persona>> Personas { get; private set; } = [];

    public IReadOnlyList<StoredResource<Character>> Characters { get; private set; } = [];

    public IReadOnlyList<StoredResource<Location>> Locations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostAsync(
        string? personaId,
        string[]? characterIds,
        string? startLocationId,
        string? title,
        string? opening,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var adventure = await adventures.CreateAsync(
                    UserId,
                    new NewAdventure(World, personaId, characterIds, startLocationId, opening, title),
                    cancellationToken
                );
                return Done("The story begins.", $"/play/{adventure.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var all = ListQuery.From(ListQuery.MaxLimit, null, null, null);
        Worlds = (await worlds.ListAsync(new(UserId, null), all, cancellationToken)).Items;
        Personas = (await personas.ListAsync(new(UserId, null), all, cancellationToken)).Items;
        World ??= Worlds.FirstOrDefault()?.Id;
        if (World is not null && Worlds.Any(w => w.Id == World))
        {
            Characters = (await characters.ListAsync(new(UserId, World), all, cancellationToken)).Items;
            Locations = (await locations.ListAsync(new(UserId, World), all, cancellationToken)).Items;
        }
    }
}
