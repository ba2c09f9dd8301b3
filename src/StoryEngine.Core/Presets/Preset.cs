using System.Text.Json;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Generation;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Presets;

/// <summary>
/// A player's named generation settings. Applying one to an adventure is a PATCH of the adventure's
/// <c>generation</c>. <see cref="Extras"/> keeps what an imported preset held that we do not support (mirostat,
/// typical_p, ...), so nothing of the file is lost and the player can see what was not applied.
/// </summary>
public sealed record Preset : IResourceBody<Preset>
{
    public static string Kind => "preset";

    public const int MaxExtras = 500;

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public GenerationSettings Generation { get; init; } = GenerationSettings.None;

    /// <summary>Where it came from: "" (made here), "sillytavern-textgen" or "sillytavern-chat".</summary>
    public string Source { get; init; } = "";

    public IReadOnlyDictionary<string, JsonElement> Extras { get; init; } = new Dictionary<string, JsonElement>();
    public IReadOnlyList<string> Tags { get; init; } = [];

    string IResourceBody<Preset>.SearchText => Resources.SearchText.Of(Name, Description);

    public void Validate(FieldErrors errors)
    {
        errors.Required("name", Name, Limits.Name);
        errors.MaxLength("description", Description, Limits.ShortText);
        errors.MaxLength("source", Source, Limits.Tag);
        Generation.Validate("generation.", errors);
        if (Extras.Count > MaxExtras)
        {
            errors.Add("extras", $"extras may hold at most {MaxExtras} fields (got {Extras.Count}).");
        }
        errors.List("tags", Tags, Limits.Tags, Limits.Tag);
    }
}
