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

    /// <summary>The speech voice the character is read in (a speech backend's voice name, issue 25); empty: the
    /// narrator's.</summary>
    public string Voice { get; init; } = "";

    /// <summary>What the character says when an adventure opens with them.</summary>
    public string FirstMessage { get; init; } = "";

    public IReadOnlyList<string> AlternateGreetings { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];

    // Character card fields (../shared/specs/character-cards.md §2, §3), so imported cards can be seen and edited.
    public string Scenario { get; init; } = "";

    /// <summary>Example dialogue, blocks starting with &lt;START&gt; (card <c>mes_example</c>).</summary>
    public string ExampleMessages { get; init; } = "";

    /// <summary>For people only; never sent to the model (card <c>creator_notes</c>).</summary>
    public string CreatorNotes { get; init; } = "";

    public string SystemPrompt { get; init; } = "";
    public string PostHistoryInstructions { get; init; } = "";
    public string Creator { get; init; } = "";
    public string CharacterVersion { get; init; } = "";

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
        errors.MaxLength("voice", Voice, 64);
        errors.MaxLength("firstMessage", FirstMessage, Limits.LongText);
        errors.List("alternateGreetings", AlternateGreetings, Limits.ListItems, Limits.LongText);
        errors.List("tags", Tags, Limits.Tags, Limits.Tag);
        errors.MaxLength("scenario", Scenario, Limits.LongText);
        errors.MaxLength("exampleMessages", ExampleMessages, Limits.LongText);
        errors.MaxLength("creatorNotes", CreatorNotes, Limits.LongText);
        errors.MaxLength("systemPrompt", SystemPrompt, Limits.LongText);
        errors.MaxLength("postHistoryInstructions", PostHistoryInstructions, Limits.LongText);
        errors.MaxLength("creator", Creator, Limits.Name);
        errors.MaxLength("characterVersion", CharacterVersion, Limits.Name);
    }
}
