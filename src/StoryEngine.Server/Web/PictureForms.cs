using StoryEngine.Core.Images;
using StoryEngine.Formats.Images;

namespace StoryEngine.Server.Web;

/// <summary>
/// What the upload/remove forms need (Pages/Shared/_PictureForms.cshtml): whose picture (<see cref="Kind"/> is
/// <c>character</c>, <c>persona</c> or <c>world</c>, as the picture page's route spells it), the current one, and
/// the limits to tell the person before they choose a file.
/// </summary>
public sealed record PictureForms(string Kind, string Id, string? WorldId, Portrait Portrait, ImageOptions Options)
{
    public string Noun => Kind == "world" ? "cover" : "avatar";

    public string Article => Kind == "world" ? "a" : "an";

    public string Limit => PictureService.Describe(Options.MaxUploadBytes);

    public int MaxSide => Options.MaxSide;

    public static string KindName(PictureKind kind) =>
        kind switch
        {
            PictureKind.CharacterAvatar => "character",
            PictureKind.PersonaAvatar => "persona",
            _ => "world",
        };
}
