using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.State;

/// <summary>
/// Asks the utility model what one narration changed in the world state, in a JSON schema, and records a valid
/// answer as <see cref="StateChanged"/>. An invalid answer is asked for once more; a second invalid one is skipped
/// with <see cref="StateExtractionSkipped"/> and a warning, and the state stays as it was. A backend that fails
/// throws, so the queue retries the job with backoff.
/// </summary>
public sealed partial class StateExtractionJob(
    WorldStates states,
    StoryWriter writer,
    IStoryLog log,
    StateCast castNames,
    IUtilityModel model,
    Usage.UsageMeter usage,
    ILogger<StateExtractionJob> logger
) : IJobHandler
{
    public const string JobType = "state.extract";
    public const int MaxAnswers = 2;

    public const string Instructions =
        "You keep track of the world state of an interactive story. Given the state so far and the newest passage, "
        + "report only what this passage changed: where characters are, their health and conditions, items gained or "
        + "lost, "
        + "how they now regard each other, quests begun, completed or failed, and the time of day. Use the exact names "
        + "of known characters; list characters who first appear in newCharacters. Use null or empty lists for what "
        + "did "
        + "not change. Answer with JSON only, following the schema.";

    private static readonly JsonElement Schema = JsonDocument.Parse(StateSchema.Json).RootElement.Clone();

    public string Type => JobType;

    /// <summary>The most turns one job reads as its passage (an imported chat's newest turns, ADR 0042).</summary>
    public const int MaxPassageTurns = 12;

    /// <param name="FromTurn">When set, the passage is every live turn from this number through the job's turn (at
    /// most <see cref="MaxPassageTurns"/>), read together and recorded on the job's turn: how an imported chat's state
    /// is extracted in one call. Null: the job's turn alone, as after a played turn.</param>
    public sealed record Payload(string AdventureId, string TurnId, int Alternative, int? FromTurn = null);

    public async Task HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, StateJson.Strict)
            ?? throw new JsonException("The job's payload is empty.");
        Adventures.Adventure adventure;
        try
        {
            adventure = await writer.LoadAsync(job.OwnerId, payload.AdventureId, cancellationToken);
        }
        catch (NotFoundException)
        {
            return; // the adventure was deleted: nothing left to track
        }
        var turn = await log.GetTurnAsync(adventure.Id, payload.TurnId, cancellationToken);
        var (current, extracted) = await states.ForExtractionAsync(
            adventure.Id,
            payload.TurnId,
            payload.Alternative,
            cancellationToken
        );
        // Undone, retried since, or already done by an earlier run of this job (a worker that died after appending).
        if (turn is null || turn.Undone || turn.Chosen != payload.Alternative || extracted)
        {
            return;
        }
        var cast = await CastAsync(adventure, cancellationToken);
        var passage = await PassageAsync(adventure.Id, turn, payload.FromTurn, cancellationToken);
        var messages = Prompt(current, cast, passage);
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(
                Schema,
                StateSchema.Name,
                "What the newest passage " + "changed in the world state"
            ),
            Temperature = 0,
            MaxOutputTokens = 1024,
        };

        var problems = new List<string>();
        for (var answer = 1; answer <= MaxAnswers; answer++)
        {
            var response = await usage.MeterAsync(job.OwnerId, adventure.Id, Usage.UsagePurposes.State, messages, () =>
                model.Client.GetResponseAsync(messages, options, cancellationToken)
            );
            var (change, errors) = Read(response.Text, current, cast);
            if (change is not null)
            {
                if (!change.IsEmpty)
                {
                    await writer.AppendInBackgroundAsync(
                        job.OwnerId,
                        adventure.Id,
                        "system",
                        [new StateChanged(turn.TurnId, payload.Alternative, change)],
                        cancellationToken
                    );
                }
                return;
            }
            problems.Add($"answer {answer}: {string.Join(" ", errors)}");
            LogInvalid(logger, adventure.Id, turn.TurnId, answer, string.Join(" ", errors));
        }
        var reason = string.Join(" | ", problems);
        reason = reason.Length <= 2000 ? reason : reason[..2000];
        await writer.AppendInBackgroundAsync(
            job.OwnerId,
            adventure.Id,
            "system",
            [new StateExtractionSkipped(turn.TurnId, payload.Alternative, reason)],
            cancellationToken
        );
        LogSkipped(logger, adventure.Id, turn.TurnId);
    }

    /// <summary>The change the model reported, or why it cannot be used.</summary>
    public static (StateChange? Change, IReadOnlyList<string> Errors) Read(
        string text,
        WorldState current,
        IReadOnlyCollection<string> cast
    )
    {
        StateChange? change;
        try
        {
            change = JsonSerializer.Deserialize<StateChange>(ModelAnswers.StripFence(text), StateJson.Strict);
        }
        catch (JsonException e)
        {
            return (null, [$"not JSON in the schema: {e.Message}"]);
        }
        if (change is null)
        {
            return (null, ["the answer was null"]);
        }
        var errors = StateRules.Validate(change, current, cast);
        return errors.Count == 0 ? (change, []) : (null, errors);
    }

    private Task<IReadOnlyCollection<string>> CastAsync(
        Adventures.Adventure adventure,
        CancellationToken cancellationToken
    ) => castNames.NamesAsync(adventure, cancellationToken);

    /// <summary>The turns the passage holds, oldest first: the job's turn, or the live turns from <paramref
    /// name="fromTurn"/> through it.</summary>
    private async Task<IReadOnlyList<TurnRecord>> PassageAsync(
        string adventureId,
        TurnRecord turn,
        int? fromTurn,
        CancellationToken cancellationToken
    )
    {
        if (fromTurn is not { } from || from >= turn.Number)
        {
            return [turn];
        }
        var count = Math.Min(turn.Number - from, MaxPassageTurns - 1);
        var earlier = await log.ListTurnsAsync(adventureId, turn.Number, count, false, cancellationToken);
        return [.. earlier.Where(t => t.Number >= from).OrderBy(t => t.Number), turn];
    }

    private static List<ChatMessage> Prompt(
        WorldState current,
        IReadOnlyCollection<string> cast,
        IReadOnlyList<TurnRecord> turns
    )
    {
        var known = cast.Concat(current.CharacterMap.Keys)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(PromptText.Clean);
        var passage = string.Join("\n\n", turns.Select(Passage));
        var numbers = turns.Count == 1 ? $"turn {turns[0].Number}" : $"turns {turns[0].Number}–{turns[^1].Number}";
        var user = $"""
            Known characters: {string.Join(", ", known)}
            World state so far (JSON):
            {JsonSerializer.Serialize(current, StateJson.Strict)}

            Newest passage ({numbers}):
            {passage}
            """;
        return [new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, user)];
    }

    private static string Passage(TurnRecord turn) =>
        turn.Kind == "opening"
            ? $"[Opening]\n{PromptText.Clean(turn.ChosenNarration.Text)}"
            : $"{new PlayerAction(turn.Kind, turn.PlayerText).ToPrompt()}\n[Narration]\n"
                + PromptText.Clean(turn.ChosenNarration.Text);

    [LoggerMessage(
        EventId = LogEvents.State.AnswerInvalid,
        Level = LogLevel.Warning,
        Message = "World state answer " + "{Answer} for adventure {AdventureId}, turn {TurnId} was invalid: {Problems}"
    )]
    private static partial void LogInvalid(
        ILogger logger,
        string adventureId,
        string turnId,
        int answer,
        string problems
    );

    [LoggerMessage(
        EventId = LogEvents.State.Skipped,
        Level = LogLevel.Warning,
        Message = "World state of adventure "
            + "{AdventureId} left unchanged for turn {TurnId}: the model's answers were invalid twice"
    )]
    private static partial void LogSkipped(ILogger logger, string adventureId, string turnId);
}
