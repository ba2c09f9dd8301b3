using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Worlds;

/// <summary>A setting that stories are played in: what it is, how it feels, and what the narrator must
/// respect.</summary>
public sealed record World : IResourceBody<World>
{
    public static string Kind => "world";

    public required string Name { get; init; }
    public string Genre { get; init; } = "";
    public string Tone { get; init; } = "";

    /// <summary>The setting, as the narrator will be told it.</summary>
    public string Description { get; init; } = "";

    /// <summary>Hard rules of the world the narrator must keep (magic has a price, no firearms, ...).</summary>
    public string Rules { get; init; } = "";

    /// <summary>How the narrator should write: person, tense, length, mood.</summary>
    public string Style { get; init; } = "";

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Generation settings for every adventure in this world, over the server's defaults (ADR 0034).</summary>
    public Generation.GenerationSettings Generation { get; init; } = Core.Generation.GenerationSettings.None;

    string IResourceBody<World>.SearchText => Resources.SearchText.Of(Name, Genre, Tone, Description);

    public void Validate(FieldErrors errors)
    {
        errors.Required("name", Name, Limits.Name);
        errors.MaxLength("genre", Genre, Limits.Name);
        errors.MaxLength("tone", Tone, Limits.Name);
        errors.MaxLength("description", Description, Limits.LongText);
        errors.MaxLength("rules", Rules, Limits.LongText);
        errors.MaxLength("style", Style, Limits.LongText);
        errors.List("tags", Tags, Limits.Tags, Limits.Tag);
        Generation.Validate("generation.", errors);
    }
}
