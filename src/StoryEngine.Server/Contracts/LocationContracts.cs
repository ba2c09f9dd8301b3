using System.Text.Json.Serialization;
using StoryEngine.Core.Locations;
using StoryEngine.Core.Resources;

namespace StoryEngine.Server.Contracts;

public sealed record LocationConnectionDto(string? LocationId, string? Description = null);

public sealed record LocationRequest(
    string? Name,
    string? Description = null,
    string? ParentId = null,
    IReadOnlyList<LocationConnectionDto>? Connections = null,
    IReadOnlyList<string>? Tags = null
) : IResourceRequest<LocationRequest, Location>
{
    public Location ToBody() =>
        new()
        {
            Name = Name ?? "",
            Description = Description ?? "",
            ParentId = string.IsNullOrEmpty(ParentId) ? null : ParentId,
            Connections = Connections
                ?.Select(c => new LocationConnection(c?.LocationId ?? "", c?.Description ?? ""))
                .ToArray()
                ?? [],
            Tags = Tags ?? [],
        };

    public static LocationRequest FromBody(Location b) =>
        new(
            b.Name,
            b.Description,
            b.ParentId,
            b.Connections.Select(c => new LocationConnectionDto(c.LocationId, c.Description)).ToArray(),
            b.Tags
        );
}

public sealed record LocationResponse(
    string Id,
    string WorldId,
    string Name,
    string Description,
    string? ParentId,
    IReadOnlyList<LocationConnectionDto> Connections,
    IReadOnlyList<string> Tags,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PurgeAt
) : IResourceResponse<LocationResponse, Location>
{
    public static LocationResponse From(StoredResource<Location> r) =>
        new(
            r.Id,
            r.ParentId!,
            r.Body.Name,
            r.Body.Description,
            r.Body.ParentId,
            r.Body.Connections.Select(c => new LocationConnectionDto(c.LocationId, c.Description)).ToArray(),
            r.Body.Tags,
            r.Version,
            r.CreatedAt,
            r.UpdatedAt,
            r.DeletedAt,
            Lifecycle.PurgeAt(r)
        );
}
