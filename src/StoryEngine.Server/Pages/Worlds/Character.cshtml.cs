using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Images;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Transfer;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Worlds;

/// <summary>One character: its fields, its own lorebook at a glance, and export as a card.</summary>
public sealed class CharacterModel(
    ResourceService<Character> characters,
    CharacterLorebooks books,
    CharacterCardTransfer transfer,
    Portraits portraits,
    ImageOptions imageOptions
) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string WorldId { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public StoredResource<Character> Character { get; private set; } = null!;

    public StoredResource<Lorebook>? Book { get; private set; }

    /// <summary>The avatar, and the forms that change it.</summary>
    public PictureForms Avatar { get; private set; } = null!;

    private ResourceScope Scope => new(UserId, WorldId);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>The card as a file: PNG (with its picture), CHARX or JSON, as the API's export writes it.</summary>
    public async Task<IActionResult> OnGetExportAsync(string? format, CancellationToken cancellationToken)
    {
        var file = await transfer.ExportAsync(Scope, Id, CardFormats.Parse(format), cancellationToken);
        return File(file.Content, file.MediaType, file.FileName);
    }

    public Task<IActionResult> OnPostSaveAsync(
        long version,
        string? name,
        string? description,
        string? personality,
        string? scenario,
        string? firstMessage,
        string? appearance,
        string? speechStyle,
        string? goals,
        string? tags,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var current = await characters.GetAsync(Scope, Id, cancellationToken);
                await characters.ReplaceAsync(
                    Scope,
                    Id,
                    current.Body with
                    {
                        Name = name ?? "",
                        Description = description ?? "",
                        Personality = personality ?? "",
                        Scenario = scenario ?? "",
                        FirstMessage = firstMessage ?? "",
                        Appearance = appearance ?? "",
                        SpeechStyle = speechStyle ?? "",
                        Goals = goals ?? "",
                        Tags = FormText.List(tags),
                    },
                    version,
                    cancellationToken
                );
                return Done("Saved the character.", $"/worlds/{WorldId}/characters/{Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Character = await characters.GetAsync(Scope, Id, cancellationToken);
        Book = await books.FindLiveAsync(Scope, Id, cancellationToken);
        var portrait = await portraits.OneAsync(
            PictureKind.CharacterAvatar,
            UserId,
            WorldId,
            Id,
            Character.Body.Name,
            cancellationToken
        );
        Avatar = new PictureForms("character", Id, WorldId, portrait, imageOptions);
    }
}
