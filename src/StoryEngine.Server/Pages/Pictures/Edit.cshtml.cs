using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Images;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Formats.Images;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Pictures;

/// <summary>
/// A character's or persona's avatar, or a world's cover: the forms on the character, world and library pages post
/// here; success goes back to that page, a refused file (not a picture, too large) is shown here with the problem.
/// The limit is the largest <c>Images:MaxUploadBytes</c> allows; the configured one is checked in the handler, so
/// the person sees the problem naming it.
/// </summary>
[RequestSizeLimit(MaxBody)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxBody)]
public sealed class PictureEditModel(
    PictureService pictures,
    Portraits portraits,
    ResourceService<Character> characters,
    ResourceService<Persona> personas,
    ResourceService<World> worlds
) : StoryPageModel
{
    private const long MaxBody = 64L * 1024 * 1024 + 64 * 1024;

    [BindProperty(SupportsGet = true)]
    public string Kind { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    /// <summary>The world of a character.</summary>
    [BindProperty(SupportsGet = true)]
    public string? World { get; set; }

    public Portrait Portrait { get; private set; } = null!;

    public PictureForms Forms { get; private set; } = null!;

    public string Size => Kind == "world" ? "cover" : "large";

    public string Heading => Kind == "world" ? "Cover" : "Avatar";

    /// <summary>The page the picture is shown on, where success returns to.</summary>
    public string Back { get; private set; } = "/library";

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostUploadAsync(IFormFile? file, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var target = await LoadAsync(cancellationToken);
                if (file is null || file.Length == 0)
                {
                    throw ValidationFailedException.For("file", "Choose a picture (PNG, JPEG, WebP or GIF) first.");
                }
                if (file.Length > pictures.Options.MaxUploadBytes)
                {
                    throw PictureService.TooLarge(pictures.Options.MaxUploadBytes);
                }
                using var buffer = new MemoryStream((int)file.Length);
                await file.CopyToAsync(buffer, cancellationToken);
                await pictures.PutAsync(target, buffer.ToArray(), cancellationToken);
                return Done($"Saved the {Forms.Noun} of {Portrait.Name}.", Back);
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRemoveAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var target = await LoadAsync(cancellationToken);
                await pictures.DeleteAsync(target, cancellationToken);
                return Done($"Removed the {Forms.Noun} of {Portrait.Name}.", Back);
            },
            () => LoadAsync(cancellationToken)
        );

    /// <summary>Finds the thing (404 when it is not the person's) and what the page shows of it.</summary>
    private async Task<PictureTarget> LoadAsync(CancellationToken cancellationToken)
    {
        var (target, name, back) = Kind switch
        {
            "character" when World is not null => (
                PictureTarget.CharacterAvatar(UserId, World, Id),
                (await characters.GetAsync(new(UserId, World), Id, cancellationToken)).Body.Name,
                $"/worlds/{World}/characters/{Id}"
            ),
            "persona" => (
                PictureTarget.PersonaAvatar(UserId, Id),
                (await personas.GetAsync(new(UserId, null), Id, cancellationToken)).Body.Name,
                "/library?kind=personas"
            ),
            "world" => (
                PictureTarget.WorldCover(UserId, Id),
                (await worlds.GetAsync(new(UserId, null), Id, cancellationToken)).Body.Name,
                $"/worlds/{Id}"
            ),
            _ => throw new NotFoundException("picture", Id),
        };
        Back = back;
        Portrait = await portraits.OneAsync(target.Kind, UserId, target.Scope.ParentId, Id, name, cancellationToken);
        Forms = new PictureForms(Kind, Id, World, Portrait, pictures.Options);
        return target;
    }
}
