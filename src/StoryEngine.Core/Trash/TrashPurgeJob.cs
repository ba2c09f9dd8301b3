using StoryEngine.Core.Characters;
using StoryEngine.Core.Locations;
using StoryEngine.Core.Lore;
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
    IResourceStore<Presets.Preset> presets,
    IResourceStore<Lorebook> lorebooks,
    ICharacterLorebookStore characterLorebooks,
    ICharacterFileStore characterFiles,
    Images.IImageStore images,
    IResourceStore<Knowledge.KnowledgeDocument> documents,
    Knowledge.IKnowledgeStore knowledge,
    TimeProvider clock,
    IResourceStore<Scenarios.Scenario>? scenarios = null,
    Bedtime.IBedtimeStore? bedtime = null,
    Speech.ISpeechAudioStore? audio = null
)
{
    public const string Key = "trash-purge";

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - TrashPolicy.Retention;
        var purged = await worlds.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await locations.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await characters.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await personas.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await presets.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await lorebooks.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        // After characters: a purged character's book and files are orphans now.
        purged += await characterLorebooks.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await characterFiles.PurgeOrphansAsync(cancellationToken);
        // World documents (their world purged above takes them too), then their originals and passages.
        purged += await documents.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        purged += await knowledge.PurgeOrphansAsync(cancellationToken);
        // Scenarios (issue 24), with their versions and share links.
        purged += scenarios is null ? 0 : await scenarios.PurgeDeletedBeforeAsync(cutoff, cancellationToken);
        // Last: the pictures of every character, persona and world purged above.
        purged += await images.PurgeOrphansAsync(cancellationToken);
        // Bedtime stories with their chapters and audio (issue 25), and the audio of narrations whose adventure is
        // gone.
        if (bedtime is not null)
        {
            purged += await bedtime.PurgeTrashedAsync(cutoff, cancellationToken);
        }
        if (audio is not null)
        {
            purged += await audio.PurgeOrphansAsync(cancellationToken);
        }
        return purged;
    }
}
