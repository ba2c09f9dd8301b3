using System.Text.Json.Serialization;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;

namespace StoryEngine.Server.Contracts;

public sealed record PersonaRequest(string? Name, string? Description = null, IReadOnlyList<string>? Tags = null)
    : IResourceRequest<PersonaRequest, Persona>
{
    public Persona ToBody() =>
        new()
        {
            Name = Name ?? "",
            Description = Description ?? "",
            Tags = Tags ?? [],
        };

    public static PersonaRequest FromBody(Persona b) => new(b.Name, b.Description, b.Tags);
}

public sealed record PersonaResponse(
    string Id,
    string Name,
    string Description,
    IReadOnlyList<string> Tags,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PurgeAt
) : IPictured<PersonaResponse>, IResourceResponse<PersonaResponse, Persona>
{
    /// <summary>Where the avatar is read (with its version in <c>v</c>); null when there is none.</summary>
    public string? AvatarUrl { get; init; }

    public PersonaResponse WithPictureUrl(string? url) => this with { AvatarUrl = url };

    public static PersonaResponse From(StoredResource<Persona> r) =>
        new(
            r.Id,
            r.Body.Name,
            r.Body.Description,
            r.Body.Tags,
            r.Version,
            r.CreatedAt,
            r.UpdatedAt,
            r.DeletedAt,
            Lifecycle.PurgeAt(r)
        );
}
