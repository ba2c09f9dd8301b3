namespace StoryEngine.Core.Resources;

/// <summary>
/// One row of world data as the store keeps it: the body plus ownership, version and lifecycle.
/// <see cref="Version"/> starts at 1 and grows by one with every change; it is the ETag.
/// </summary>
public sealed record StoredResource<TBody>(
    string Id,
    string OwnerId,
    string? ParentId,
    TBody Body,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt
);

/// <summary>Whose data, and under which parent (a world id for locations and characters; null for top-level
/// kinds).</summary>
public readonly record struct ResourceScope(string OwnerId, string? ParentId);
