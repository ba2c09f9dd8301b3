using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Presets;
using StoryEngine.Core.Resources;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Play;

/// <summary>
/// The adventure's settings as a plain form (issue 17): title, memory, author's note and generation settings, the
/// same change as <c>PATCH /api/v1/adventures/{id}</c> (an <c>AdventureSettingsChanged</c> event), and a preset
/// picker that copies one of the player's presets into the generation settings. A save over settings changed since
/// the form was read is refused, keeping what was typed.
/// </summary>
public sealed class SettingsModel(
    AdventureService adventures,
    AdventureSettingsService settings,
    ResourceService<Preset> presets
) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty]
    public AdventureSettingsForm Form { get; set; } = new();

    [BindProperty]
    public string? PresetId { get; set; }

    public Adventure Adventure { get; private set; } = null!;

    public IReadOnlyList<StoredResource<Preset>> Presets { get; private set; } = [];

    public static IReadOnlyList<string> Roles => AuthorsNote.Roles;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Form = AdventureSettingsForm.From(Adventure);
    }

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var header = Form.ToHeader();
                await settings.ChangeAsync(
                    UserId,
                    Id,
                    null,
                    current =>
                        AdventureSettingsForm.Fingerprint(current) == Form.Seen
                            ? header
                            : throw new Core.Errors.PreconditionFailedException(
                                "settings of the story",
                                Id,
                                current.Title
                            ),
                    cancellationToken
                );
                return Done("Saved the story settings. The narrator uses them from the next turn.", $"/play/{Id}");
            },
            async () =>
            {
                await LoadAsync(cancellationToken);
                if (Problem is { Conflict: true })
                {
                    // What was typed stays; sending it again ("keep mine") goes over the settings as they are now.
                    Form.Seen = AdventureSettingsForm.Fingerprint(
                        new AdventureHeader(Adventure.Title, Adventure.Settings)
                    );
                }
            }
        );

    public Task<IActionResult> OnPostPresetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var preset = await presets.GetAsync(new ResourceScope(UserId, null), PresetId ?? "", cancellationToken);
                await settings.ChangeAsync(
                    UserId,
                    Id,
                    null,
                    h => h with { Settings = h.Settings with { Generation = preset.Body.Generation } },
                    cancellationToken
                );
                return Done(
                    $"Applied the preset '{preset.Body.Name}' to the generation settings.",
                    $"/play/{Id}/settings"
                );
            },
            async () =>
            {
                await LoadAsync(cancellationToken);
                Form = AdventureSettingsForm.From(Adventure);
            }
        );

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Adventure = await adventures.GetAsync(UserId, Id, cancellationToken);
        Presets = (
            await presets.ListAsync(
                new ResourceScope(UserId, null),
                ListQuery.From(ListQuery.MaxLimit, null, null, null),
                cancellationToken
            )
        ).Items;
    }
}
