using System.Text.Json.Nodes;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Characters;

/// <summary>A non-player character of a world, as the narrator plays it.</summary>
public sealed record Character : IResourceBody<Character>
{
    public static string Kind => "character";

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public string Personality { get; init; } = "";
    public string Appearance { get; init; } = "";
    public string SpeechStyle { get; init; } = "";
    public string Goals { get; init; } = "";

    /// <summary>What the character says when an adventure opens with them.</summary>
    public string FirstMessage { get; init; } = "";

    public IReadOnlyList<string> AlternateGreetings { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>
    /// Fields other tools put on a card that we do not model. Kept byte-for-byte in meaning so a card
    /// survives a round trip (../shared/specs/character-cards.md: "extensions must be preserved").
    /// </summary>
    public JsonObject Extensions { get; init; } = [];

    string IResourceBody<Character>.SearchText => Resources.SearchText.Of(Name, Description, Personality);

    public void Validate(FieldErrors errors)
    {
        errors.Required("name", Name, Limits.Name);
        errors.MaxLength("description", Description, Limits.LongText);
        errors.MaxLength("personality", Personality, Limits.LongText);
        errors.MaxLength("appearance", Appearance, Limits.LongText);
        errors.MaxLength("speechStyle", SpeechStyle, Limits.LongText);
        errors.MaxLength("goals", Goals, Limits.LongText);
        errors.MaxLength("firstMessage", FirstMessage, Limits.LongText);
        errors.List("alternateGreetings", AlternateGreetings, Limits.ListItems, Limits.LongText);
        errors.List("tags", Tags, Limits.Tags, Limits.Tag);
    }
}
