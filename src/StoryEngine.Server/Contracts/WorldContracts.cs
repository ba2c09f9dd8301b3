using System.Text.Json.Serialization;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Server.Contracts;

public sealed record WorldRequest(
    string? Name,
    string? Genre = null,
    string? Tone = null,
    string? Description = null,
    string? Rules = null,
    string? Style = null,
    IReadOnlyList<string>? Tags = null,
    GenerationFields? Generation = null
) : IResourceRequest<WorldRequest, World>
{
    public World ToBody() =>
        new()
        {
            Name = Name ?? "",
            Genre = Genre ?? "",
            Tone = Tone ?? "",
            Description = Description ?? "",
            Rules = Rules ?? "",
            Style = Style ?? "",
            Tags = Tags ?? [],
            Generation = Generation?.ToSettings() ?? Core.Generation.GenerationSettings.None,
        };

    public static WorldRequest FromBody(World b) =>
        new(b.Name, b.Genre, b.Tone, b.Description, b.Rules, b.Style, b.Tags, GenerationFields.From(b.Generation));
}

public sealed record WorldResponse(
    string Id,
    string Name,
    string Genre,
    string Tone,
    string Description,
    string Rules,
    string Style,
    IReadOnlyList<string> Tags,
    GenerationFields Generation,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PurgeAt
) : IPictured<WorldResponse>, IResourceResponse<WorldResponse, World>
{
    /// <summary>Where the cover is read (with its version in <c>v</c>); null when there is none.</summary>
    public string? CoverUrl { get; init; }

    public WorldResponse WithPictureUrl(string? url) => this with { CoverUrl = url };

    public static WorldResponse From(StoredResource<World> r) =>
        new(
            r.Id,
            r.Body.Name,
            r.Body.Genre,
            r.Body.Tone,
            r.Body.Description,
            r.Body.Rules,
            r.Body.Style,
            r.Body.Tags,
            GenerationFields.From(r.Body.Generation),
            r.Version,
            r.CreatedAt,
            r.UpdatedAt,
            r.DeletedAt,
            Lifecycle.PurgeAt(r)
        );
}
