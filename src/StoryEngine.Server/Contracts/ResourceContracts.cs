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
