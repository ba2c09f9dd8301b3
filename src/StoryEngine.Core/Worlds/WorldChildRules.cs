using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Worlds;

/// <summary>
/// Rules for data that lives inside a world: the world must exist, belong to the caller and not be in
/// the trash. A world in the trash takes its contents with it until it is restored.
/// </summary>
public sealed class WorldChildRules<TBody>(IResourceStore<World> worlds) : IResourceRules<TBody>
{
    public async Task EnsureParentAsync(ResourceScope scope, CancellationToken cancellationToken)
    {
        var worldId = scope.ParentId
            ?? throw new InvalidOperationException("A world's contents need a world id in " + "their scope.");
        if (!await worlds.ExistsAsync(new ResourceScope(scope.OwnerId, null), worldId, cancellationToken))
        {
            throw new NotFoundException(World.Kind, worldId);
        }
    }

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
