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
    TranscriptCache transcripts,
    Jobs.ForegroundGate foreground,
    TimeProvider clock,
    Knowledge.KnowledgeSearch? knowledge = null,
    Knowledge.KnowledgeOptions? knowledgeOptions = null,
    Agents.Director.GoalBoards? goals = null,
    Tabletop.TabletopService? tabletop = null,
    Scenarios.ScenarioPositions? scenes = null
)
{
    private const int PageSize = 64;

    public Task<NarrationInput> LoadAsync(
        Adventure adventure,
        string turnId,
        PlayerAction action,
        CancellationToken cancellationToken
    ) =>
        LoadAsync(
            adventure,
            turnId,
            Start(() => ReadTurnAtAsync(adventure.Id, turnId, cancellationToken), cancellationToken),
            action,
            cancellationToken
        );

    /// <summary>
    /// As above, for a turn whose number and record (null while it is not yet written) as of
    /// <paramref name="adventure"/>'s version the caller knows: a new turn's inputs are read while its action is still
    /// being committed (issue 19), since nothing they hold depends on that action's event.
    /// </summary>
    public Task<NarrationInput> LoadAsync(
        Adventure adventure,
        TurnAt turn,
        PlayerAction action,
        CancellationToken cancellationToken
    ) => LoadAsync(adventure, turn.TurnId, Task.FromResult<TurnAt?>(turn), action, cancellationToken);

    private async Task<TurnAt?> ReadTurnAtAsync(
        string adventureId,
        string turnId,
        CancellationToken cancellationToken
    ) =>
        await log.GetTurnAsync(adventureId, turnId, cancellationToken) is { } turn
            ? new TurnAt(turn.TurnId, turn.Number, turn)
            : null;

    private async Task<NarrationInput> LoadAsync(
        Adventure adventure,
        string turnId,
        Task<TurnAt?> current,
        PlayerAction action,
        CancellationToken cancellationToken
    )
    {
        using var span = Telemetry.StoryTelemetry.StartSpan("context.load");
        // Independent reads run side by side (issue 19): SQLite's driver answers synchronously, so each is started on
        // the thread pool (see Start), and on PostgreSQL they are separate round trips anyway. Lore and recall need the
        // transcript.
        var cards = Start(() => CardsAsync(adventure, cancellationToken), cancellationToken);
        var state = Start(() => states.CurrentAsync(adventure, cancellationToken), cancellationToken);
        var summaries = Start(() => memory.ListSummariesAsync(adventure.Id, cancellationToken), cancellationToken);
        var board = goals is null
            ? Task.FromResult<Agents.Director.GoalBoard?>(null)
            : Start<Agents.Director.GoalBoard?>(
                async () => await goals.GetAsync(adventure.Id, cancellationToken),
                cancellationToken
            );
        var table = tabletop is null ? null : Start(() => TableAsync(adventure, cancellationToken), cancellationToken);
        var turn = await current;
        var before = turn?.Number;
        var transcript = await TranscriptBeforeAsync(adventure, turn, cancellationToken);
        // Vectorized lore compares the move's meaning; a bare "continue" compares the newest narration's.
        var meaning = action.Text.Trim().Length > 0 ? action.Text : transcript.LastOrDefault()?.ChosenNarration.Text;
        var lore = Start(
            () => LoreAsync(adventure, turnId, before, transcript, meaning, cancellationToken),
            cancellationToken
        );
        var recalled = RecallAsync(adventure, before ?? int.MaxValue, action, transcript, cancellationToken);
        var known = KnowledgeAsync(adventure, action, transcript, cancellationToken);
        // Issue 24: the scene the story is in, when the adventure plays a scenario (read after this turn's move).
        var scene = scenes is null
            ? Task.FromResult<Scenarios.ScenarioPosition?>(null)
            : Start(() => scenes.GetAsync(adventure.OwnerId, adventure.Id, cancellationToken), cancellationToken);
        var (world, persona, cast, place) = await cards;
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
        var number = transcript.Count == 0 ? 1 : transcript[^1].Number + 1;
        return new NarrationInput(
            world,
            persona,
            cast,
            place,
            transcript,
            action,
            await state,
            await lore,
            await recalled,
            await summaries,
            macros,
            adventure.Settings,
            // The transcript holds the live turns before this one, so no extra read is needed for its number.
            number,
            await known,
            Agents.Director.DirectorPrompt.ForNarrator(await board, number),
            table is null ? null : await table
        )
        {
            Scene = await scene,
        };
    }

    // The table of a rules game as the narrator reads it; "" for a plain story (issue 23).
    private async Task<string?> TableAsync(Adventure adventure, CancellationToken cancellationToken) =>
        Tabletop.TabletopPrompt.Render(
            await tabletop!.ViewAsync(adventure.Id, cancellationToken),
            narrator.Settings.UsesTools
        );

    // Side by side while the node has cores to spare. Under a burst (more turns being prepared than cores) each turn
    // reads in line instead: fanned out, every turn's reads queued behind every other turn's and all of them reached
    // their first token together at the end (500 simultaneous turns, bench/results/narrator-burst-profile-*.md).
    private Task<T> Start<T>(Func<Task<T>> read, CancellationToken cancellationToken) =>
        foreground.Active <= Environment.ProcessorCount ? Task.Run(read, cancellationToken) : read();

    // The world and the cards in the adventure's cast, persona and starting place.
    private async Task<(World, Persona?, List<Character>, Location?)> CardsAsync(
        Adventure adventure,
        CancellationToken cancellationToken
    )
    {
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
        return (world, persona, cast, place);
    }

    private Task<LoreInput?> LoreAsync(
        Adventure adventure,
        string turnId,
        int? number,
        IReadOnlyList<TurnRecord> transcript,
        string? meaning,
        CancellationToken cancellationToken
    ) =>
        Telemetry.StoryTelemetry.MeasureAsync("lore.load", null, () =>
            lore.LoadAsync(adventure, turnId, transcript, cancellationToken, meaning, number)
        );

    // Recall searches with the player's move; a bare "continue" searches with the newest narration instead.
    private async Task<RecallResult> RecallAsync(
        Adventure adventure,
        int before,
        PlayerAction action,
        IReadOnlyList<TurnRecord> transcript,
        CancellationToken cancellationToken
    )
    {
        var adventureId = adventure.Id;
        var query =
            action.Text.Trim().Length > 0 ? action.Text : transcript.LastOrDefault()?.ChosenNarration.Text ?? "";
        return await Telemetry.StoryTelemetry.MeasureAsync("memory.recall", Telemetry.StoryMetrics.Recall, () =>
            recall.RecallAsync(adventureId, adventure.OwnerId, before, query, transcript, cancellationToken)
        );
    }

    // The world's documents, searched with the player's move (words and meaning) and the newest narration (meaning);
    // a bare "continue" searches with the newest narration. A failure costs the prompt its passages, never the turn.
    private async Task<Knowledge.KnowledgeRecall?> KnowledgeAsync(
        Adventure adventure,
        PlayerAction action,
        IReadOnlyList<TurnRecord> transcript,
        CancellationToken cancellationToken
    )
    {
        if (knowledge is null || knowledgeOptions is not { Enabled: true, PromptPassages: > 0 } options)
        {
            return null;
        }
        var recent = transcript.LastOrDefault()?.ChosenNarration.Text ?? "";
        var query = action.Text.Trim().Length > 0 ? action.Text : recent;
        if (query.Trim().Length == 0)
        {
            return null;
        }
        var result = await Telemetry.StoryTelemetry.MeasureAsync("knowledge.search", null, () =>
            knowledge.SearchAsync(
                adventure.OwnerId,
                adventure.WorldId,
                query,
                options.PromptPassages * 3,
                cancellationToken,
                context: ReferenceEquals(query, recent) || recent.Length == 0
                    ? null
                    : recent[^Math.Min(600, recent.Length)..]
            )
        );
        return new Knowledge.KnowledgeRecall(
            result,
            options.PromptPassages,
            options.PromptTokens,
            options.MinSimilarity
        );
    }

    // The live turns before the current one, newest pages first, as far as the budget could reach. From the cache
    // when it holds them as of this version (issue 19); exactly the turns the log would give, page for page.
    private async Task<IReadOnlyList<TurnRecord>> TranscriptBeforeAsync(
        Adventure adventure,
        TurnAt? turn,
        CancellationToken cancellationToken
    )
    {
        var before = turn?.Number;
        var current = turn?.Record;
        var cached = await transcripts.GetAsync(log, adventure.Id, adventure.LastSequence, cancellationToken);
        if (cached is not null && Paginate(cached, before) is { } warm)
        {
            transcripts.Put(adventure.Id, cached, keep: warm.Count + PageSize + 1, hit: true);
            return warm;
        }
        // Read back only until the turns read could already fill the whole prompt budget; the builder decides the exact
        // cut.
        var budget = narrator.Settings.PromptBudget;
        var turns = new List<TurnRecord>();
        var size = 0;
        var complete = false;
        while (size <= budget)
        {
            var page = await log.ListTurnsAsync(
                adventure.Id,
                before,
                PageSize,
                includeUndone: false,
                cancellationToken
            );
            turns.AddRange(page);
            size += Size(page);
            if (page.Count < PageSize)
            {
                complete = true;
                break;
            }
            before = page[^1].Number;
        }
        turns.Reverse();
        // Kept with the current turn, the newest: the next turn's transcript is these plus what its events add.
        // Nothing but turn-neutral events can land while this turn narrates (the adventure is claimed), so the turns
        // read now are the turns as of the adventure's version.
        // A turn not yet written (read while its action commits) is not part of this version: the turns read are all.
        if (turn is not null && current is not { Undone: true })
        {
            transcripts.Put(
                adventure.Id,
                new TranscriptCache.Entry(
                    adventure.LastSequence,
                    current is null ? turns : [.. turns, current],
                    complete
                ),
                keep: turns.Count + PageSize + 1,
                hit: false
            );
        }
        return turns;
    }

    // The pages the loop above would read, taken from the cached turns; null when they do not reach far enough.
    private List<TurnRecord>? Paginate(TranscriptCache.Entry cached, int? beforeNumber)
    {
        var live = cached.Turns.Where(t => beforeNumber is not { } n || t.Number < n).ToList();
        var budget = narrator.Settings.PromptBudget;
        var end = live.Count;
        var size = 0;
        while (size <= budget)
        {
            var count = Math.Min(PageSize, end);
            if (count < PageSize && !cached.Complete)
            {
                return null;
            }
            size += Size(live.GetRange(end - count, count));
            end -= count;
            if (count < PageSize)
            {
                break;
            }
        }
        return live.GetRange(end, live.Count - end);
    }

    private int Size(IEnumerable<TurnRecord> turns) =>
        turns.Sum(t =>
            tokens.Estimate(t.PlayerText, narrator.Settings.Model)
            + tokens.Estimate(t.ChosenNarration.Text, narrator.Settings.Model)
            + tokens.Estimate(t.ChosenNarration.Context?.Text ?? "", narrator.Settings.Model)
        );
}

/// <summary>A turn as of an adventure's version: its number, and its record once it is written (null before).</summary>
public sealed record TurnAt(string TurnId, int Number, TurnRecord? Record);
