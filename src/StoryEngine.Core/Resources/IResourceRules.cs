using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Resources;

/// <summary>
/// The rules of one kind that reach beyond its own body: whether its parent is live, whether references
/// point at real rows, whether it may be deleted. Kinds without such rules use <see cref="NoResourceRules{TBody}"/>.
/// </summary>
public interface IResourceRules<TBody>
{
    /// <summary>Throws <see cref="NotFoundException"/> when the scope's parent is missing, deleted or someone
    /// else's.</summary>
    Task EnsureParentAsync(ResourceScope scope, CancellationToken cancellationToken);

    /// <summary>Adds errors for references that do not hold; <paramref name="id"/> is the resource being
    /// written.</summary>
    Task ValidateAsync(
        ResourceScope scope,
        string id,
        TBody body,
        FieldErrors errors,
        CancellationToken cancellationToken
    );

    /// <summary>Throws <see cref="ConflictException"/> when deleting would leave others dangling.</summary>
    Task EnsureDeletableAsync(ResourceScope scope, string id, CancellationToken cancellationToken);
}

public sealed class NoResourceRules<TBody> : IResourceRules<TBody>
{
    public Task EnsureParentAsync(ResourceScope scope, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ValidateAsync(
        ResourceScope scope,
        string id,
        TBody body,
        FieldErrors errors,
        CancellationToken cancellationToken
    ) => Task.CompletedTask;

    public Task EnsureDeletableAsync(ResourceScope scope, string id, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
