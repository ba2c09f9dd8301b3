using System.Text.Json;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents.Evaluation;

/// <summary>Settings under <c>Evaluation</c>.</summary>
public sealed class EvaluationOptions
{
    public const string Section = "Evaluation";

    /// <summary>Whether each completed narration is evaluated in the background.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many earlier narrations the repetition check compares with.</summary>
    public int RecentTurns { get; set; } = 5;

    /// <summary>Whether the utility model also judges each narration against the world state and lore (a
    /// <see cref="ContradictionJudge"/> call per narration).</summary>
    public bool Judge { get; set; }
}

/// <summary>
/// Evaluates one completed narration with <see cref="NarrationHeuristics"/> and records the scores as a
/// <see cref="TurnEvaluated"/> event (issue 22). A narration undone or replaced since is skipped; one already
/// evaluated (a worker that died after appending) is not evaluated twice.
/// </summary>
public sealed class TurnEvaluationJob(
    IStoryLog log,
    StoryWriter writer,
    IResourceStore<Persona> personas,
    EvaluationOptions options,
    ContradictionJudge? judge = null
) : IJobHandler
{
    public const string JobType = "turn.evaluate";

    /// <param name="After">A sequence before the narration's outcome, so looking for an evaluation already made reads
    /// only the log's tail (0: from the start, as jobs queued before it was added).</param>
    public sealed record Payload(string AdventureId, string TurnId, int Alternative, long After = 0);

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var payload = JsonSerializer.Deserialize<Payload>(job.Payload, StoryEventJson.Options)
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
        var turn = await log.GetTurnAsync(adventure.Id, payload.TurnId, cancellationToken);
        if (
            turn is null
            || turn.Undone
            || payload.Alternative >= turn.Alternatives.Count
            || turn.Alternatives[payload.Alternative].Status != NarrationRecord.Completed
            || await EvaluatedAsync(adventure.Id, payload, cancellationToken)
        )
        {
            return;
        }
        var narration = turn.Alternatives[payload.Alternative];
        var recent = await log.ListTurnsAsync(
            adventure.Id,
            turn.Number,
            options.RecentTurns,
            includeUndone: false,
            cancellationToken
        );
        var player = adventure.PersonaId is null
            ? null
            : await personas.GetAsync(new(adventure.OwnerId, null), adventure.PersonaId, cancellationToken);
        var checks = NarrationHeuristics.Evaluate(
            narration.Text,
            [.. recent.Select(t => t.ChosenNarration.Text)],
            player?.Body.Name
        );
        var version = NarrationHeuristics.Version;
        // The judge's check joins the heuristics' under a version of its own, so scores with and without it are
        // never averaged together; a backend failure throws and the queue retries the whole evaluation.
        if (options.Judge && judge is not null)
        {
            var judged = await judge.JudgeAsync(job.OwnerId, adventure, turn, payload.Alternative, cancellationToken);
            if (judged is not null)
            {
                checks = [.. checks, judged];
                version += "+" + ContradictionJudge.Version;
            }
        }
        await writer.AppendInBackgroundAsync(
            job.OwnerId,
            adventure.Id,
            "system",
            [
                new TurnEvaluated(
                    turn.TurnId,
                    payload.Alternative,
                    version,
                    narration.Backend,
                    narration.Model,
                    NarrationHeuristics.Score(checks),
                    checks
                ),
            ],
            cancellationToken
        );
    }

    private async Task<bool> EvaluatedAsync(string adventureId, Payload payload, CancellationToken cancellationToken)
    {
        var events = await log.ReadAsync(
            adventureId,
            payload.After,
            [nameof(TurnEvaluated)],
            int.MaxValue,
            cancellationToken
        );
        return events
            .Select(e => e.Read<TurnEvaluated>())
            .Any(e => e.TurnId == payload.TurnId && e.Alternative == payload.Alternative);
    }
}

/// <summary>After each completed narration, queues its evaluation (low priority: it waits for everything
/// else).</summary>
public sealed class EvaluationObserver(IJobQueue jobs, EvaluationOptions options) : INarrationObserver
{
    public async Task NarrationCompletedAsync(CompletedNarration narration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(narration);
        if (!options.Enabled)
        {
            return;
        }
        await jobs.EnqueueAsync(
            new JobRequest(
                TurnEvaluationJob.JobType,
                JsonSerializer.Serialize(
                    new TurnEvaluationJob.Payload(
                        narration.AdventureId,
                        narration.TurnId,
                        narration.Alternative,
                        narration.After
                    ),
                    StoryEventJson.Options
                ),
                narration.OwnerId,
                narration.AdventureId,
                JobPriority.Low,
                $"evaluate/{narration.AdventureId}/{narration.TurnId}/{narration.Alternative}"
            ),
            cancellationToken
        );
    }
}
