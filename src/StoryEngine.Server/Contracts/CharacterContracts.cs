using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Resources;

namespace StoryEngine.Server.Contracts;

public sealed record CharacterRequest(
    string? Name,
    string? Description = null,
    string? Personality = null,
    string? Appearance = null,
    string? SpeechStyle = null,
    string? Goals = null,
    string? FirstMessage = null,
    IReadOnlyList<string>? AlternateGreetings = null,
    IReadOnlyList<string>? Tags = null,
    JsonObject? Extensions = null,
    string? Scenario = null,
    string? ExampleMessages = null,
    string? CreatorNotes = null,
    string? SystemPrompt = null,
    string? PostHistoryInstructions = null,
    string? Creator = null,
    string? CharacterVersion = null,
    string? Voice = null
) : IResourceRequest<CharacterRequest, Character>
{
    public Character ToBody() =>
        new()
        {
            Name = Name ?? "",
            Description = Description ?? "",
            Personality = Personality ?? "",
            Appearance = Appearance ?? "",
            SpeechStyle = SpeechStyle ?? "",
            Goals = Goals ?? "",
            FirstMessage = FirstMessage ?? "",
            AlternateGreetings = AlternateGreetings ?? [],
            Tags = Tags ?? [],
            Extensions = Extensions ?? [],
            Scenario = Scenario ?? "",
            ExampleMessages = ExampleMessages ?? "",
            CreatorNotes = CreatorNotes ?? "",
            SystemPrompt = SystemPrompt ?? "",
            PostHistoryInstructions = PostHistoryInstructions ?? "",
            Creator = Creator ?? "",
            CharacterVersion = CharacterVersion ?? "",
            Voice = Voice ?? "",
        };

    public static CharacterRequest FromBody(Character b) =>
        new(
            b.Name,
            b.Description,
            b.Personality,
            b.Appearance,
            b.SpeechStyle,
            b.Goals,
            b.FirstMessage,
            b.AlternateGreetings,
            b.Tags,
            (JsonObject)b.Extensions.DeepClone(),
            b.Scenario,
            b.ExampleMessages,
            b.CreatorNotes,
            b.SystemPrompt,
            b.PostHistoryInstructions,
            b.Creator,
            b.CharacterVersion,
            b.Voice
        );
}

public sealed record CharacterResponse(
    string Id,
    string WorldId,
    string Name,
    string Description,
    string Personality,
    string Appearance,
    string SpeechStyle,
    string Goals,
    string FirstMessage,
    IReadOnlyList<string> AlternateGreetings,
    IReadOnlyList<string> Tags,
    string Scenario,
    string ExampleMessages,
    string CreatorNotes,
    string SystemPrompt,
    string PostHistoryInstructions,
    string Creator,
    string CharacterVersion,
    JsonObject Extensions,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PurgeAt
) : IPictured<CharacterResponse>, IResourceResponse<CharacterResponse, Character>
{
    /// <summary>Where the avatar is read (with its version in <c>v</c>); null when there is none.</summary>
    public string? AvatarUrl { get; init; }

    /// <summary>The speech voice the character is read in (issue 25); empty: the narrator's.</summary>
    public string Voice { get; init; } = "";

    public CharacterResponse WithPictureUrl(string? url) => this with { AvatarUrl = url };

    public static CharacterResponse From(StoredResource<Character> r) =>
        new(
            r.Id,
            r.ParentId!,
            r.Body.Name,
            r.Body.Description,
            r.Body.Personality,
            r.Body.Appearance,
            r.Body.SpeechStyle,
            r.Body.Goals,
            r.Body.FirstMessage,
            r.Body.AlternateGreetings,
            r.Body.Tags,
            r.Body.Scenario,
            r.Body.ExampleMessages,
            r.Body.CreatorNotes,
            r.Body.SystemPrompt,
            r.Body.PostHistoryInstructions,
            r.Body.Creator,
            r.Body.CharacterVersion,
            r.Body.Extensions,
            r.Version,
            r.CreatedAt,
            r.UpdatedAt,
            r.DeletedAt,
            Lifecycle.PurgeAt(r)
        )
        {
            Voice = r.Body.Voice,
        };
}
