using StoryEngine.Core.Characters;
using StoryEngine.Core.Locations;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Core.Trash;

/// <summary>
/// Removes for good what has been in the trash longer than <see cref="TrashPolicy.Retention"/>,
/// and the contents of worlds removed that way. Worlds go first so their contents become orphans in the same run.
/// </summary>
public sealed class TrashPurgeJob(
    IResourceStore<World> worlds,
    IResourceStore<Location> locations,
    IResourceStore<Character> characters,
    IResourceStore<Persona> personas,
    TimeProvider clock)
{
    public const string Key = "trash-purge";

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - TrashPolicy.Retention;
        var purged = await worlds.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await locations.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await characters.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await personas.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        return purged;
    }
}
