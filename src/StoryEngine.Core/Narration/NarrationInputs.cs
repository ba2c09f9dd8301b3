using StoryEngine.Core.Adventures;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Locations;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Core.Narration;

/// <summary>
/// Loads what one narration may use, always through the adventure owner's scope, so nothing from another
/// user's data can enter a prompt. The transcript is read newest first, a page at a time, only as far as
/// the budget could possibly reach — never the whole history of a long adventure.
/// </summary>
public sealed class NarrationInputs(
    IStoryLog log,
    IResourceStore<World> worlds,
    IResourceStore<Character> characters,
    IResourceStore<Persona> personas,
    IResourceStore<Location> locations,
    INarrator narrator,
    TokenEstimator tokens,
    State.WorldStates states,
    LoreInputs lore,
    MemoryRecall recall,
    IMemoryStore memory,
    TimeProvider clock
)
{
    private const int PageSize = 64;

    public async Task<NarrationInput> LoadAsync(
        Adventure adventure,
        string turnId,
        PlayerAction action,
        CancellationToken cancellationToken
    )
    {
        using var span = Telemetry.StoryTelemetry.StartSpan("context.load");
        var owner = new ResourceScope(adventure.OwnerId, null);
        var inWorld = new ResourceScope(adventure.OwnerId, adventure.WorldId);
        var world = await worlds.GetAsync(owner, adventure.WorldId, cancellationToken) is { DeletedAt: null } w
            ? w.Body
            : throw new NotFoundException(World.Kind, adventure.WorldId);
        var persona = adventure.PersonaId is null
            ? null
            : (await personas.GetAsync(owner, adventure.PersonaId, cancellationToken))?.Body;
        var cast = new List<Character>();
        foreach (var id in adventure.CharacterIds)
        {
            if (await characters.GetAsync(inWorld, id, cancellationToken) is { DeletedAt: null } c)
            {
                cast.Add(c.Body);
            }
        }
        var place = adventure.StartLocationId is null
            ? null
            : (await locations.GetAsync(inWorld, adventure.StartLocationId, cancellationToken))?.Body;
        var transcript = await TranscriptBeforeAsync(adventure.Id, turnId, cancellationToken);
        // {{pick}} stays the same for a retry of this turn; {{idle_duration}} is since the player's previous move.
        var macros = MacroContext.For(
            cast.FirstOrDefault()?.Name,
            persona?.Name,
            clock.GetLocalNow(),
            $"{adventure.Id}:{turnId}"
        ) with
        {
            LastAction = transcript.LastOrDefault(t => t.Kind != "opening")?.CreatedAt,
        };
        return new NarrationInput(
            world,
            persona,
            cast,
            place,
            transcript,
            action,
            await states.CurrentAsync(adventure, cancellationToken),
            await LoreAsync(adventure, turnId, transcript, cancellationToken),
            await RecallAsync(adventure, turnId, action, transcript, cancellationToken),
            await memory.ListSummariesAsync(adventure.Id, cancellationToken),
            macros,
            adventure.Settings,
            // The transcript holds the live turns before this one, so no extra read is needed for its number.
            transcript.Count == 0
                ? 1
                : transcript[^1].Number + 1
        );
    }

    private Task<LoreInput?> LoreAsync(
        Adventure adventure,
        string turnId,
        IReadOnlyList<TurnRecord> transcript,
        CancellationToken cancellationToken
    ) =>
        Telemetry.StoryTelemetry.MeasureAsync("lore.load", null, () =>
            lore.LoadAsync(adventure, turnId, transcript, cancellationToken)
        );

    // Recall searches with the player's move; a bare "continue" searches with the newest narration instead.
    private async Task<RecallResult> RecallAsync(
        Adventure adventure,
        string turnId,
        PlayerAction action,
        IReadOnlyList<TurnRecord> transcript,
        CancellationToken cancellationToken
    )
    {
        var adventureId = adventure.Id;
        var query =
            action.Text.Trim().Length > 0 ? action.Text : transcript.LastOrDefault()?.ChosenNarration.Text ?? "";
        var before = (await log.GetTurnAsync(adventureId, turnId, cancellationToken))?.Number ?? int.MaxValue;
        return await Telemetry.StoryTelemetry.MeasureAsync("memory.recall", Telemetry.StoryMetrics.Recall, () =>
            recall.RecallAsync(adventureId, adventure.OwnerId, before, query, transcript, cancellationToken)
        );
    }

    private async Task<IReadOnlyList<TurnRecord>> TranscriptBeforeAsync(
        string adventureId,
        string turnId,
        CancellationToken cancellationToken
    )
    {
        var current = await log.GetTurnAsync(adventureId, turnId, cancellationToken);
        // Read back only until the turns read could already fill the whole prompt budget; the builder decides the exact
        // cut.
        var budget = narrator.Settings.PromptBudget;
        var turns = new List<TurnRecord>();
        var size = 0;
        int? before = current?.Number;
        while (size <= budget)
        {
            var page = await log.ListTurnsAsync(adventureId, before, PageSize, includeUndone: false, cancellationToken);
            turns.AddRange(page);
            size += page.Sum(t =>
                tokens.Estimate(t.PlayerText, narrator.Settings.Model)
                + tokens.Estimate(t.ChosenNarration.Text, narrator.Settings.Model)
                + tokens.Estimate(t.ChosenNarration.Context?.Text ?? "", narrator.Settings.Model)
            );
            if (page.Count < PageSize)
            {
                break;
            }
            before = page[^1].Number;
        }
        turns.Reverse();
        return turns;
    }
}
