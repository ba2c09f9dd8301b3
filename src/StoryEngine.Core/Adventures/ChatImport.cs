using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Core.Adventures;

/// <summary>
/// Where an imported chat goes: a world, and optionally the character it was with and the player's persona.
/// </summary>
public sealed record ChatImportRequest(
    string? WorldId,
    string? CharacterId,
    string? PersonaId,
    string? Title,
    string? FileName
);

/// <summary>
/// Makes an adventure of a chat from another tool, in one <see cref="IStoryLog.CreateAsync"/>: the same events a played
/// adventure has, so the transcript, the prompt, retries and forks treat imported turns like any other, and a turn can
/// be taken straight after. The mapping (docs/api.md, "Chat import"):
/// <list type="bullet">
/// <item>The first message, when it is the character's, is the opening (turn 0), its swipes its alternatives. A chat
/// that starts with the player has the world's setting as its opening, as a new adventure without a greeting
/// does.</item>
/// <item>A player message and the character message after it are one turn: the player's text is the action, the reply
/// the narration, its swipes the alternatives with the shown one (<c>swipe_id</c>) chosen. The kind is <c>say</c> for
/// plain words (no <c>*</c> and no <c>"</c>, the marks SillyTavern players use for actions and for quoting speech
/// inside prose), else <c>do</c>.</item>
/// <item>Player messages in a row are one action (joined by a blank line); a character message with no player
/// message before it is a <c>continue</c> turn; a chat that ends on the player has a last turn with an empty
/// narration, which a retry narrates.</item>
/// <item>In a group chat (replies from several names) each narration starts with its speaker's name.</item>
/// </list>
/// Hidden system messages never reached the model in SillyTavern and are left out (the parser counts them).
/// </summary>
public sealed class ChatImport(
    IStoryLog log,
    IResourceStore<World> worlds,
    IResourceStore<Character> characters,
    IResourceStore<Persona> personas,
    ImportedChatJobs jobs,
    TimeProvider clock
)
{
    /// <summary>The backend an imported narration names: it came from the file, not from a model.</summary>
    public const string Source = "import";

    public async Task<Adventure> ImportAsync(
        string ownerId,
        ChatImportRequest request,
        ImportedChat chat,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        errors.Required("worldId", request.WorldId, Limits.Name);
        errors.MaxLength("title", request.Title, Limits.Name);
        errors.ThrowIfAny();
        if (chat.Messages.Count == 0)
        {
            throw InvalidFileException.Chat("The chat has no messages to import.");
        }
        if (chat.Messages.Count > ImportedChat.MaxMessages)
        {
            throw new ChatTooLongException(
                $"The chat has {chat.Messages.Count} messages; an import takes at most {ImportedChat.MaxMessages}."
            );
        }

        var top = new ResourceScope(ownerId, null);
        var world = await worlds.GetAsync(top, request.WorldId!, cancellationToken);
        if (world is not { DeletedAt: null })
        {
            throw ValidationFailedException.For("worldId", $"No world with id '{request.WorldId}' exists.");
        }
        if (
            request.CharacterId is { Length: > 0 } characterId
            && await characters.GetAsync(new ResourceScope(ownerId, world.Id), characterId, cancellationToken)
                is not { DeletedAt: null }
        )
        {
            errors.Add("characterId", $"No character with id '{characterId}' exists in this world.");
        }
        if (
            request.PersonaId is { Length: > 0 } personaId
            && await personas.GetAsync(top, personaId, cancellationToken) is not { DeletedAt: null }
        )
        {
            errors.Add("personaId", $"No persona with id '{personaId}' exists.");
        }
        errors.ThrowIfAny();

        var now = clock.GetUtcNow();
        var title = string.IsNullOrWhiteSpace(request.Title)
            ? Shorten($"{chat.CharacterName ?? world.Body.Name} — imported chat {now:yyyy-MM-dd HH:mm}")
            : request.Title.Trim();
        string[] characterIds = request.CharacterId is { Length: > 0 } c ? [c] : [];
        var started = new AdventureStarted(world.Id, NullIfEmpty(request.PersonaId), characterIds, null, title);
        var imported = new ChatImported(
            chat.Format,
            NullIfEmpty(request.FileName),
            chat.UserName,
            chat.CharacterName,
            chat.CreatedAt,
            chat.Messages.Count,
            chat.SkippedMessages
        );
        var fallback =
            world.Body.Description.Length > 0 ? world.Body.Description : $"The story begins in {world.Body.Name}.";
        IStoryEventPayload[] payloads = [started, imported, .. Turns(chat, fallback)];

        var id = Ids.New();
        var events = payloads.Select((p, i) => StoryEvent.Create(id, i + 1, p, ownerId, now)).ToArray();
        var turns = StoryProjection.Replay(events);
        var adventure = new Adventure(
            id,
            ownerId,
            world.Id,
            title,
            started.PersonaId,
            characterIds,
            null,
            null,
            null,
            events.Length,
            turns.Count(t => t.Kind != "opening"),
            now,
            now
        );
        await log.CreateAsync(adventure, events, turns, cancellationToken);
        await jobs.QueueAsync(adventure, turns, cancellationToken);
        return adventure;
    }

    /// <summary>The turn events of a chat, opening first (the rules are in this class's summary).</summary>
    public static IReadOnlyList<IStoryEventPayload> Turns(ImportedChat chat, string fallbackOpening)
    {
        var messages = chat.Messages;
        var group = messages.Where(m => !m.IsUser).Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() > 1;
        var events = new List<IStoryEventPayload>();
        var opening = Ids.New();
        var next = 0;
        if (messages[0] is { IsUser: false } greeting)
        {
            var texts = Narrations(greeting, group);
            events.Add(new OpeningWritten(opening, texts[0], Source));
            AddAlternatives(events, opening, greeting, texts);
            next = 1;
        }
        else
        {
            events.Add(new OpeningWritten(opening, fallbackOpening, "world"));
        }

        for (var number = 1; next < messages.Count; number++)
        {
            var turnId = Ids.New();
            if (!messages[next].IsUser)
            {
                events.Add(new ActionTaken(turnId, number, "continue", ""));
                AddNarrations(events, turnId, messages[next++], group);
                continue;
            }
            var said = new List<string>();
            while (next < messages.Count && messages[next].IsUser)
            {
                said.Add(messages[next++].Text);
            }
            var text = string.Join("\n\n", said.Where(s => s.Length > 0));
            events.Add(new ActionTaken(turnId, number, KindOf(text), text));
            if (next < messages.Count)
            {
                AddNarrations(events, turnId, messages[next++], group);
            }
            else
            {
                events.Add(Completed(turnId, 0, ""));
            }
        }
        return events;
    }

    /// <summary>
    /// <c>say</c> for plain words, <c>do</c> for prose with actions or quoted speech, <c>continue</c> for nothing.
    /// </summary>
    public static string KindOf(string text) =>
        string.IsNullOrWhiteSpace(text) ? "continue"
        : text.AsSpan().IndexOfAny("*\"“”") >= 0 ? "do"
        : "say";

    private static void AddNarrations(List<IStoryEventPayload> events, string turnId, ImportedMessage reply, bool group)
    {
        var texts = Narrations(reply, group);
        events.Add(Completed(turnId, 0, texts[0]));
        AddAlternatives(events, turnId, reply, texts);
    }

    // The first alternative is already written; each further swipe is a retry and its narration, then the shown
    // one is chosen.
    private static void AddAlternatives(
        List<IStoryEventPayload> events,
        string turnId,
        ImportedMessage message,
        IReadOnlyList<string> texts
    )
    {
        for (var i = 1; i < texts.Count; i++)
        {
            events.Add(new RetryRequested(turnId, i));
            events.Add(Completed(turnId, i, texts[i]));
        }
        if (message.Chosen != texts.Count - 1)
        {
            events.Add(new AlternativeChosen(turnId, message.Chosen));
        }
    }

    private static string[] Narrations(ImportedMessage message, bool group) =>
        group && message.Name.Length > 0
            ? [.. message.Alternatives.Select(a => $"{message.Name}: {a}")]
            : [.. message.Alternatives];

    private static NarrationCompleted Completed(string turnId, int alternative, string text) =>
        new(turnId, alternative, text, Source, null, new TokenUsage(null, null), new NarrationTimings(null, 0));

    private static string Shorten(string title) => title.Length <= Limits.Name ? title : title[..Limits.Name];

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
