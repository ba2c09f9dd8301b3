using System.Text.Json.Serialization;
using StoryEngine.Core.Resources;

namespace StoryEngine.Server.Contracts;

/// <summary>What a client sends to create or replace one kind of world data; nulls mean "empty".</summary>
public interface IResourceRequest<TSelf, TBody>
    where TSelf : IResourceRequest<TSelf, TBody>
{
    TBody ToBody();

    /// <summary>The request that would produce <paramref name="body"/>: the starting point a merge patch applies
    /// to.</summary>
    static abstract TSelf FromBody(TBody body);
}

/// <summary>What the API returns for one kind of world data.</summary>
public interface IResourceResponse<TSelf, TBody>
    where TSelf : IResourceResponse<TSelf, TBody>
{
    string Id { get; }

    long Version { get; }

    static abstract TSelf From(StoredResource<TBody> resource);
}

/// <summary>Lifecycle fields every response carries; the deletion pair only appears on items in the trash.</summary>
public static class Lifecycle
{
    public static DateTimeOffset? PurgeAt<TBody>(StoredResource<TBody> r) =>
        r.DeletedAt + Core.Trash.TrashPolicy.Retention;
}

/// <summary>
/// One item of a list: what a client needs to show and pick it (issue 19). The whole resource comes from its own GET,
/// or from the list with <c>?fields=</c>.
/// </summary>
public sealed record ResourceSummaryResponse(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorldId,
    string Name,
    IReadOnlyList<string> Tags,
    string Description,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PurgeAt
)
{
    /// <summary>For kinds with a picture: <c>avatarUrl</c> or <c>coverUrl</c>, null when there is none.</summary>
    [JsonExtensionData]
    public Dictionary<string, object?>? Picture { get; init; }

    public static ResourceSummaryResponse From(ResourceSummary s) =>
        new(
            s.Id,
            s.ParentId,
            s.Name,
            s.Tags,
            s.Description,
            s.Version,
            s.CreatedAt,
            s.UpdatedAt,
            s.DeletedAt,
            s.DeletedAt + Core.Trash.TrashPolicy.Retention
        );
}
