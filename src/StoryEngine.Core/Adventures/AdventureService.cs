using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Locations;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Core.Adventures;

/// <summary>What a player asks for when starting an adventure.</summary>
public sealed record NewAdventure(
    string? WorldId,
    string? PersonaId,
    IReadOnlyList<string>? CharacterIds,
    string? StartLocationId,
    string? Opening,
    string? Title,
    int? GreetingIndex = null,
    string? ScenarioId = null
);

/// <summary>
/// Starting adventures and the turn operations that need no model call: choose an alternative, edit, undo, fork.
/// Every change is an event; nothing is ever deleted from the log.
/// </summary>
public sealed class AdventureService(
    IAdventureStore adventures,
    IStoryLog log,
    StoryWriter writer,
    TurnRegistry registry,
    IResourceStore<World> worlds,
    IResourceStore<Character> characters,
    IResourceStore<Persona> personas,
    IResourceStore<Location> locations,
    TimeProvider clock,
    Cluster.NarrationCluster? cluster = null,
    Scenarios.ScenarioStarts? scenarios = null
)
{
    public const int MaxCharacters = 16;

    public async Task<Adventure> CreateAsync(string ownerId, NewAdventure request, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        errors.Required("worldId", request.WorldId, Limits.Name);
        errors.MaxLength("opening", request.Opening, Limits.LongText);
        errors.MaxLength("title", request.Title, Limits.Name);
        var characterIds = request.CharacterIds?.Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (characterIds.Length > MaxCharacters)
        {
            errors.Add("characterIds", $"An adventure can start with at most {MaxCharacters} characters.");
        }
        errors.ThrowIfAny();

        var top = new ResourceScope(ownerId, null);
        var world = await worlds.GetAsync(top, request.WorldId!, cancellationToken);
        if (world is not { DeletedAt: null })
        {
            throw ValidationFailedException.For("worldId", $"No world with id '{request.WorldId}' exists.");
        }
        var inWorld = new ResourceScope(ownerId, world.Id);
        var cast = new List<StoredResource<Character>>();
        for (var i = 0; i < characterIds.Length; i++)
        {
            var character = await characters.GetAsync(inWorld, characterIds[i], cancellationToken);
            if (character is not { DeletedAt: null })
            {
                errors.Add($"characterIds[{i}]", $"No character with id '{characterIds[i]}' exists in this world.");
            }
            else
            {
                cast.Add(character);
            }
        }
        Persona? persona = null;
        if (request.PersonaId is { Length: > 0 } personaId)
        {
            persona = await personas.GetAsync(top, personaId, cancellationToken) is { DeletedAt: null } p
                ? p.Body
                : null;
            if (persona is null)
            {
                errors.Add("personaId", $"No persona with id '{personaId}' exists.");
            }
        }
        if (
            request.StartLocationId is { Length: > 0 } locationId
            && await locations.GetAsync(inWorld, locationId, cancellationToken) is not { DeletedAt: null }
        )
        {
            errors.Add("startLocationId", $"No location with id '{locationId}' exists in this world.");
        }
        var greetings = Greetings.Of(cast);
        Greetings.Check(errors, request, greetings);
        errors.ThrowIfAny();
        // Issue 24: a scenario's adventure opens with its start scene (unless the player wrote an opening).
        var scenario =
            request.ScenarioId is { Length: > 0 } scenarioId && scenarios is not null
                ? await scenarios.StartAsync(ownerId, world.Id, scenarioId, cancellationToken)
                : ((Scenarios.ScenarioStarted Started, Scenarios.ScenarioNode Start)?)null;

        var now = clock.GetUtcNow();
        var title = string.IsNullOrWhiteSpace(request.Title)
            ? $"{world.Body.Name} — " + $"{now:yyyy-MM-dd HH:mm}"
            : request.Title.Trim();
        var id = Ids.New();
        var openingId = Ids.New();
        var started = new AdventureStarted(
            world.Id,
            NullIfEmpty(request.PersonaId),
            characterIds,
            NullIfEmpty(request.StartLocationId),
            title
        );
        // A character's greetings are the opening's alternatives, macros replaced once as the player first sees them;
        // the one asked for (greetingIndex, else the first message) is shown.
        List<IStoryEventPayload> payloads = [started];
        if (scenario is { } play)
        {
            payloads.Add(play.Started);
        }
        if (scenario is { } opening && string.IsNullOrWhiteSpace(request.Opening))
        {
            var text = opening.Start.Text.Length > 0 ? opening.Start.Text : opening.Start.Title;
            payloads.Add(new OpeningWritten(openingId, text, "scenario"));
        }
        else if (string.IsNullOrWhiteSpace(request.Opening) && greetings is not null)
        {
            var macros = MacroContext.For(
                greetings.Speaker.Body.Name,
                persona?.Name,
                clock.GetLocalNow(),
                $"{id}:{openingId}"
            );
            payloads.AddRange(greetings.Events(openingId, request.GreetingIndex ?? 0, macros));
        }
        else
        {
            var (openingText, source) = Opening(request.Opening, world.Body);
            payloads.Add(new OpeningWritten(openingId, openingText, source));
        }
        var events = payloads.Select((p, i) => StoryEvent.Create(id, i + 1, p, ownerId, now)).ToArray();
        var adventure = new Adventure(
            id,
            ownerId,
            world.Id,
            title,
            started.PersonaId,
            characterIds,
            started.StartLocationId,
            null,
            null,
            events.Length,
            0,
            now,
            now
        );
        await log.CreateAsync(adventure, events, StoryProjection.Replay(events), cancellationToken);
        return adventure;
    }

    public Task<Page<Adventure>> ListAsync(string ownerId, ListQuery query, CancellationToken cancellationToken) =>
        adventures.ListAsync(ownerId, query, cancellationToken);

    /// <summary>The owner's adventures played or changed most recently, newest first (the home page's
    /// "continue").</summary>
    public Task<IReadOnlyList<Adventure>> ListRecentAsync(
        string ownerId,
        int limit,
        CancellationToken cancellationToken
    ) => adventures.ListRecentAsync(ownerId, limit, cancellationToken);

    public Task<Adventure> GetAsync(string ownerId, string id, CancellationToken cancellationToken) =>
        writer.LoadAsync(ownerId, id, cancellationToken);

    // A narration in flight on this node (the registry) or, on a cluster, on another node (its live lease): undo, edit,
    // choose, fork and delete wait for it with 409 turn_in_progress.
    private async Task EnsureIdleAsync(string adventureId, CancellationToken cancellationToken)
    {
        registry.EnsureIdle(adventureId);
        if (
            cluster is not null
            && await cluster.Leases.FindAsync(adventureId, cancellationToken) is { } lease
            && lease.NodeId != cluster.Settings.NodeId
            && lease.IsLive(clock.GetUtcNow())
        )
        {
            throw new TurnInProgressException(adventureId);
        }
    }

    public async Task DeleteAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        await EnsureIdleAsync(id, cancellationToken);
        if (await adventures.DeleteAsync(ownerId, id, cancellationToken) == 0)
        {
            throw new NotFoundException("adventure", id);
        }
    }

    public async Task<TurnRecord> GetTurnAsync(
        string ownerId,
        string adventureId,
        string turnId,
        CancellationToken cancellationToken
    ) => TurnDecider.Target(await writer.LoadStateAsync(ownerId, adventureId, turnId, cancellationToken), turnId);

    public Task<TurnRecord> ChooseAsync(
        string ownerId,
        string adventureId,
        string turnId,
        int? alternative,
        CancellationToken cancellationToken
    ) => DecideIdleAsync(ownerId, adventureId, turnId, new ChooseAlternative(turnId, alternative), cancellationToken);

    public async Task<TurnRecord> EditAsync(
        string ownerId,
        string adventureId,
        string turnId,
        string? playerText,
        string? narration,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        errors.MaxLength("playerText", playerText, NarratorSettings.MaxActionCharacters);
        errors.MaxLength("narration", narration, Limits.LongText);
        if (playerText is null && narration is null)
        {
            errors.Add("body", "Send playerText, narration or both.");
        }
        errors.ThrowIfAny();
        var command = new EditTurn(turnId, playerText, narration);
        return await DecideIdleAsync(ownerId, adventureId, turnId, command, cancellationToken);
    }

    /// <summary>
    /// Shows another of the character's greetings as the opening (swiping it), while no turn has been taken.
    /// </summary>
    public Task<TurnRecord> ChooseOpeningAsync(
        string ownerId,
        string adventureId,
        int? greetingIndex,
        CancellationToken cancellationToken
    ) => DecideIdleAsync(ownerId, adventureId, null, new ChooseGreeting(greetingIndex), cancellationToken);

    /// <summary>Takes back the newest turn (never the opening). It stays in the log, marked undone.</summary>
    public Task<TurnRecord> UndoAsync(string ownerId, string adventureId, CancellationToken cancellationToken) =>
        DecideIdleAsync(ownerId, adventureId, null, new UndoTurn(), cancellationToken);

    /// <summary>A new adventure whose history is this one's up to and including <paramref name="atTurnId"/>.</summary>
    public async Task<Adventure> ForkAsync(
        string ownerId,
        string adventureId,
        string? atTurnId,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrEmpty(atTurnId))
        {
            throw ValidationFailedException.For(
                "atTurnId",
                "atTurnId is required: the turn the new adventure's " + "history ends with."
            );
        }
        await EnsureIdleAsync(adventureId, cancellationToken);
        var state = await writer.LoadStateAsync(ownerId, adventureId, atTurnId, cancellationToken);
        var (source, at) = (state.Adventure, TurnDecider.ForkPoint(state, atTurnId));

        var history = new List<StoryEvent>();
        for (var after = 0L; ; )
        {
            var page = await log.ReadAsync(adventureId, after, 1000, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }
            history.AddRange(page);
            after = page[^1].Sequence;
        }
        var numbers = StoryProjection
            .Replay(history)
            .ToDictionary(t => t.TurnId, t => t.Number, StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        var id = Ids.New();
        var kept = history
            .Where(e => StoryProjection.TurnIdOf(e) is not { } turnId || numbers[turnId] <= at.Number)
            .Where(e => e.Type != nameof(AdventureForked))
            .Select((e, i) => e with { AdventureId = id, Sequence = i + 1 })
            .ToList();
        kept.Add(
            StoryEvent.Create(id, kept.Count + 1, new AdventureForked(adventureId, atTurnId, kept.Count), ownerId, now)
        );
        var turns = StoryProjection.Replay(kept);
        var adventure = source with
        {
            Id = id,
            Title = $"{source.Title} (fork at turn {at.Number})",
            ForkedFromId = adventureId,
            ForkedAtTurnId = atTurnId,
            LastSequence = kept.Count,
            TurnCount = turns.Count(t => t.Kind != "opening"),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await log.CreateAsync(adventure, kept, turns, cancellationToken);
        return adventure;
    }

    // The operations that need no model call: wait for no narration, load once, decide, append at that version.
    private async Task<TurnRecord> DecideIdleAsync(
        string ownerId,
        string adventureId,
        string? turnId,
        TurnCommand command,
        CancellationToken cancellationToken
    )
    {
        await EnsureIdleAsync(adventureId, cancellationToken);
        var state = await writer.LoadStateAsync(ownerId, adventureId, turnId, cancellationToken);
        var decision = TurnDecider.Decide(state, command);
        var known = new[] { state.Target, state.Newest }.OfType<TurnRecord>().ToArray();
        var appended = await writer.AppendAsync(state.Adventure, ownerId, decision.Events, known, cancellationToken);
        return appended.Turns.Single();
    }

    private static (string Text, string Source) Opening(string? given, World world)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return (given, "player");
        }
        return (world.Description.Length > 0 ? world.Description : $"The story begins in {world.Name}.", "world");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
