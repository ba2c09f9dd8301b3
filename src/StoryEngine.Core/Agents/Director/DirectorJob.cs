using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents.Director;

/// <summary>
/// The director's background work (issue 22): a <c>review</c> reads the turns since the last one against the
/// adventure's active goals and records what the utility model found (tasks started or done with their evidence,
/// goals settled, a direction for the narrator); a <c>propose</c> asks it for goals from the world and story so far.
/// Answers come in a JSON schema and are checked against the board; an invalid answer is asked for once more, and a
/// second one is recorded as skipped (a review) or dropped (a proposal), never half applied.
/// </summary>
public sealed partial class DirectorJob(
    StoryWriter writer,
    IStoryLog log,
    GoalBoards boards,
    IResourceStore<Worlds.World> worlds,
    IUtilityModel model,
    Usage.UsageMeter usage,
    DirectorOptions options,
    ILogger<DirectorJob> logger
) : IJobHandler
{
    public const string JobType = "director";
    public const int MaxAnswers = 2;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <param name="Mode"><c>review</c> or <c>propose</c>.</param>
    /// <param name="TurnId">The review's newest turn.</param>
    public sealed record Payload(string Mode, string AdventureId, string? TurnId = null);

    public string Type => JobType;

    public static JobRequest ReviewRequest(string ownerId, string adventureId, string turnId) =>
        new(
            JobType,
            JsonSerializer.Serialize(new Payload("review", adventureId, turnId), Json),
            ownerId,
            adventureId,
            JobPriority.Low,
            $"director/{adventureId}/{turnId}"
        );

    public static JobRequest ProposeRequest(string ownerId, string adventureId) =>
        new(
            JobType,
            JsonSerializer.Serialize(new Payload("propose", adventureId), Json),
            ownerId,
            adventureId,
            JobPriority.Default,
            null
        );

    public async Task HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, Json)
            ?? throw new JsonException("The job's payload is empty.");
        Adventures.Adventure adventure;
        try
        {
            adventure = await writer.LoadAsync(job.OwnerId, payload.AdventureId, cancellationToken);
        }
        catch (NotFoundException)
        {
            return; // deleted meanwhile
        }
        if (payload.Mode == "propose")
        {
            await ProposeAsync(job.OwnerId, adventure, cancellationToken);
        }
        else if (payload.TurnId is { } turnId)
        {
            await ReviewAsync(job.OwnerId, adventure, turnId, cancellationToken);
        }
    }

    private async Task ReviewAsync(
        string ownerId,
        Adventures.Adventure adventure,
        string turnId,
        CancellationToken cancellationToken
    )
    {
        var turn = await log.GetTurnAsync(adventure.Id, turnId, cancellationToken);
        var board = await boards.GetAsync(adventure.Id, cancellationToken);
        // Undone since, nothing left to steer, or reviewed already (a worker that died after appending).
        if (turn is null || turn.Undone || !board.HasActiveGoals || board.ReviewedThroughTurn >= turn.Number)
        {
            return;
        }
        var count = Math.Min(turn.Number - board.ReviewedThroughTurn, options.MaxTurnsPerReview);
        var turns = (await log.ListTurnsAsync(adventure.Id, turn.Number + 1, count, false, cancellationToken))
            .OrderBy(t => t.Number)
            .ToArray();
        var first = turns.Length == 0 ? turn.Number : turns[0].Number;
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, DirectorPrompt.ReviewInstructions),
            new(ChatRole.User, DirectorPrompt.Review(board, turns)),
        };
        var problems = new List<string>();
        for (var answer = 1; answer <= MaxAnswers; answer++)
        {
            var text = await AskAsync(ownerId, adventure.Id, messages, DirectorPrompt.ReviewSchema, cancellationToken);
            var (events, errors) = DirectorAnswers.Review(text, board, first, turn.Number, turn.TurnId);
            if (events is not null)
            {
                await writer.AppendInBackgroundAsync(ownerId, adventure.Id, "director", events, cancellationToken);
                return;
            }
            problems.Add($"answer {answer}: {string.Join(" ", errors)}");
            LogInvalid(logger, adventure.Id, answer, string.Join(" ", errors));
        }
        var reason = string.Join(" | ", problems);
        await writer.AppendInBackgroundAsync(
            ownerId,
            adventure.Id,
            "director",
            [new PlanReviewSkipped(turn.Number, reason.Length <= 2000 ? reason : reason[..2000], turn.TurnId)],
            cancellationToken
        );
    }

    private async Task ProposeAsync(string ownerId, Adventures.Adventure adventure, CancellationToken cancellationToken)
    {
        var world = await worlds.GetAsync(new(ownerId, null), adventure.WorldId, cancellationToken);
        if (world is null)
        {
            return;
        }
        var board = await boards.GetAsync(adventure.Id, cancellationToken);
        var room = options.MaxGoals - board.Goals.Count;
        if (room <= 0)
        {
            return;
        }
        var turns = (await log.ListTurnsAsync(adventure.Id, null, options.MaxTurnsPerReview, false, cancellationToken))
            .OrderBy(t => t.Number)
            .ToArray();
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, DirectorPrompt.ProposeInstructions),
            new(ChatRole.User, DirectorPrompt.Propose(world.Body, turns)),
        };
        for (var answer = 1; answer <= MaxAnswers; answer++)
        {
            var text = await AskAsync(ownerId, adventure.Id, messages, DirectorPrompt.ProposeSchema, cancellationToken);
            var (goals, errors) = DirectorAnswers.Proposal(text, options.MaxTasks, turns.LastOrDefault()?.TurnId);
            if (goals is not null)
            {
                if (goals.Count > 0)
                {
                    await writer.AppendInBackgroundAsync(
                        ownerId,
                        adventure.Id,
                        "director",
                        [.. goals.Take(room)],
                        cancellationToken
                    );
                }
                return;
            }
            LogInvalid(logger, adventure.Id, answer, string.Join(" ", errors));
        }
    }

    private async Task<string> AskAsync(
        string ownerId,
        string adventureId,
        List<ChatMessage> messages,
        string schema,
        CancellationToken cancellationToken
    )
    {
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(
                JsonDocument.Parse(schema).RootElement.Clone(),
                "director",
                "The director's answer"
            ),
            Temperature = 0,
            MaxOutputTokens = 1024,
        };
        var response = await usage.MeterAsync(ownerId, adventureId, Usage.UsagePurposes.Director, messages, () =>
            model.Client.GetResponseAsync(messages, options, cancellationToken)
        );
        return response.Text;
    }

    [LoggerMessage(
        EventId = LogEvents.Agents.DirectorAnswerInvalid,
        Level = LogLevel.Warning,
        Message = "The director's answer {Answer} for adventure {AdventureId} was invalid: {Problems}"
    )]
    private static partial void LogInvalid(ILogger logger, string adventureId, int answer, string problems);
}

/// <summary>After each completed narration of an adventure with active goals, queues a review once
/// <c>Director:EveryTurns</c> turns have passed since the last.</summary>
public sealed class DirectorObserver(IJobQueue jobs, GoalBoards boards, DirectorOptions options) : INarrationObserver
{
    public async Task NarrationCompletedAsync(CompletedNarration narration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(narration);
        if (!options.Enabled)
        {
            return;
        }
        var board = await boards.GetAsync(narration.AdventureId, cancellationToken);
        if (board.HasActiveGoals && narration.TurnNumber - board.ReviewedThroughTurn >= Math.Max(1, options.EveryTurns))
        {
            await jobs.EnqueueAsync(
                DirectorJob.ReviewRequest(narration.OwnerId, narration.AdventureId, narration.TurnId),
                cancellationToken
            );
        }
    }
}
