using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Personas;

/// <summary>A character the player plays as; it belongs to the player, not to a world, so it can enter any
/// world.</summary>
public sealed record Persona : IResourceBody<Persona>
{
    public static string Kind => "persona";

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];

    string IResourceBody<Persona>.SearchText => Resources.SearchText.Of(Name, Description);

    public void Validate(FieldErrors errors)
    {
        errors.Required("name", Name, Limits.Name);
        errors.MaxLength("description", Description, Limits.LongText);
        errors.List("tags", Tags, Limits.Tags, Limits.Tag);
    }
}
