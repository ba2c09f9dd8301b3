using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Adventures;

/// <summary>An adventure's title and settings together: what PATCH /adventures/{id} changes.</summary>
public sealed record AdventureHeader(string Title, AdventureSettings Settings);

/// <summary>
/// Changes an adventure's title and settings. The change is an event in the story log (<see
/// cref="AdventureSettingsChanged"/>), never a rewrite of history, and the header row moves with it.
/// </summary>
public sealed class AdventureSettingsService(IStoryLog log, StoryWriter writer, TimeProvider clock)
{
    /// <summary>
    /// Applies <paramref name="change"/> to the adventure as it stands. With <paramref name="expectedVersion"/>
    /// (If-Match) the adventure must still be at that version; without it a turn that lands meanwhile makes the
    /// change load again and reapply, as a merge patch of other fields would.
    /// </summary>
    public async Task<Adventure> ChangeAsync(
        string ownerId,
        string adventureId,
        long? expectedVersion,
        Func<AdventureHeader, AdventureHeader> change,
        CancellationToken cancellationToken
    )
    {
        for (var attempt = 1; ; attempt++)
        {
            var adventure = await writer.LoadAsync(ownerId, adventureId, cancellationToken);
            if (expectedVersion is { } expected && expected != adventure.LastSequence)
            {
                throw new PreconditionFailedException("adventure", adventureId);
            }
            var next = change(new AdventureHeader(adventure.Title, adventure.Settings));
            Validate(next);
            var title = next.Title.Trim();
            if (title == adventure.Title && Same(next.Settings, adventure.Settings))
            {
                return adventure; // nothing changed: no event
            }
            var now = clock.GetUtcNow();
            var e = StoryEvent.Create(
                adventureId,
                adventure.LastSequence + 1,
                new AdventureSettingsChanged(title, next.Settings),
                ownerId,
                now
            );
            var header = adventure with
            {
                Title = title,
                Settings = next.Settings,
                LastSequence = e.Sequence,
                UpdatedAt = e.At,
            };
            try
            {
                await log.AppendHeaderChangeAsync(header, adventure.LastSequence, e, cancellationToken);
                return header;
            }
            catch (StoryConflictException) when (expectedVersion is null && attempt < 5)
            {
                // A narration or a background job appended first; load again and reapply the change.
            }
            catch (StoryConflictException) when (expectedVersion is not null)
            {
                throw new PreconditionFailedException("adventure", adventureId);
            }
        }
    }

    private static void Validate(AdventureHeader next)
    {
        var errors = new FieldErrors();
        errors.Required("title", next.Title, Limits.Name);
        next.Settings.Validate(errors);
        errors.ThrowIfAny();
    }

    // Records compare lists by reference; compare what would be stored instead.
    private static bool Same(AdventureSettings a, AdventureSettings b) =>
        System.Text.Json.JsonSerializer.Serialize(a, StoryEventJson.Options)
        == System.Text.Json.JsonSerializer.Serialize(b, StoryEventJson.Options);
}
