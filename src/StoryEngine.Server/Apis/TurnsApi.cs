using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

public static class TurnsApi
{
    public static RouteGroupBuilder MapTurnsApi(this RouteGroupBuilder api)
    {
        var turns = api.MapGroup("/adventures/{id}/turns").WithTags("Turns");
        turns
            .MapPost("/", Take)
            .WithName("TakeTurn")
            .WithSummary(
                "Take a turn (do, say, story, continue). With Accept: text/event-stream the narration "
                    + "streams as SSE"
            )
            .Produces(200, contentType: "text/event-stream")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409)
            .ProducesProblem(422)
            .ProducesProblem(502)
            .ProducesProblem(504)
            .RequireRateLimiting(Hosting.ProtectionServiceCollectionExtensions.GenerationPolicy);
        turns
            .MapGet("/", List)
            .WithName("ListTurns")
            .WithSummary("The transcript, newest first, paged, each turn " + "with its alternatives")
            .ProducesProblem(400)
            .ProducesProblem(404);
        turns.MapGet("/{turnId}", Get).WithName("GetTurn").WithSummary("One turn").ProducesProblem(404);
        turns
            .MapPatch("/{turnId}", Edit)
            .WithName("EditTurn")
            .WithSummary("Edit the player's text or the chosen " + "narration")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409);
        turns
            .MapPost("/{turnId}/retry", Retry)
            .WithName("RetryTurn")
            .WithSummary("Narrate the newest turn again as " + "a new alternative (SSE or JSON)")
            .Produces(200, contentType: "text/event-stream")
            .ProducesProblem(404)
            .ProducesProblem(409)
            .ProducesProblem(502)
            .ProducesProblem(504)
            .RequireRateLimiting(Hosting.ProtectionServiceCollectionExtensions.GenerationPolicy);
        turns
            .MapPost("/{turnId}/choose", Choose)
            .WithName("ChooseAlternative")
            .WithSummary("Choose which narration " + "of a turn counts")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409);
        turns
            .MapGet("/{turnId}/context", Context)
            .WithName("GetTurnContext")
            .WithSummary(
                "Exactly what the narrator was sent: each section, its token estimate, and what was left "
                    + "out and why"
            )
            .ProducesProblem(400)
            .ProducesProblem(404);
        return api;
    }

    private static async Task<Results<TurnEventStream, Ok<TurnResponse>, ProblemHttpResult>> Take(
        string id,
        TakeTurnRequest? request,
        HttpContext context,
        TurnService turns,
        CancellationToken cancellationToken
    )
    {
        var run = await turns.TakeTurnAsync(context.User.UserId(), id, request?.Kind, request?.Text, cancellationToken);
        return await TurnStreaming.RespondAsync(context, run, announce: true);
    }

    private static async Task<Results<TurnEventStream, Ok<TurnResponse>, ProblemHttpResult>> Retry(
        string id,
        string turnId,
        HttpContext context,
        TurnService turns,
        CancellationToken cancellationToken
    )
    {
        var run = await turns.RetryAsync(context.User.UserId(), id, turnId, cancellationToken);
        return await TurnStreaming.RespondAsync(context, run, announce: true);
    }

    private static async Task<ETagged<Ok<PageResponse<TurnResponse>>>> List(
        string id,
        HttpContext context,
        AdventureService adventures,
        IStoryLog log,
        int? limit,
        string? cursor,
        bool? includeUndone,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > ListQuery.MaxLimit)
        {
            errors.Add("limit", $"limit must be between 1 and {ListQuery.MaxLimit}.");
        }
        int? before = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (DecodeCursor(cursor) is { } number)
            {
                before = number;
            }
            else
            {
                errors.Add("cursor", "cursor is not one this server handed out; start again without it.");
            }
        }
        errors.ThrowIfAny();
        await adventures.GetAsync(context.User.UserId(), id, cancellationToken);
        var take = limit ?? ListQuery.DefaultLimit;
        var turns = await log.ListTurnsAsync(id, before, take + 1, includeUndone ?? false, cancellationToken);
        var items = turns.Take(take).ToArray();
        var next = turns.Count > take ? EncodeCursor(items[^1].Number) : null;
        Paging.AddNextLink(context, next);
        return ETagged.IfNoneMatch(
            ETags.ForItems(items.Select(StateOf), next),
            TypedResults.Ok(new PageResponse<TurnResponse>(items.Select(TurnResponse.From).ToArray(), next))
        );
    }

    private static async Task<ETagged<Ok<TurnResponse>>> Get(
        string id,
        string turnId,
        HttpContext context,
        AdventureService adventures,
        CancellationToken cancellationToken
    )
    {
        var turn = await adventures.GetTurnAsync(context.User.UserId(), id, turnId, cancellationToken);
        return ETagged.IfNoneMatch(ETags.ForItems([StateOf(turn)], null), TypedResults.Ok(TurnResponse.From(turn)));
    }

    // Every event that touches a turn moves its UpdatedAt; the streaming text is not part of the stored turn.
    private static string StateOf(TurnRecord turn) =>
        $"{turn.TurnId}:{turn.UpdatedAt.ToUnixTimeMilliseconds()}:{turn.Status}:{turn.Alternatives.Count}:"
        + $"{turn.Chosen}:{turn.Undone}:{turn.PlayerText.Length}:{turn.ChosenNarration.Text.Length}";

    private static async Task<Ok<TurnResponse>> Edit(
        string id,
        string turnId,
        EditTurnRequest? request,
        HttpContext context,
        AdventureService adventures,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            TurnResponse.From(
                await adventures.EditAsync(
                    context.User.UserId(),
                    id,
                    turnId,
                    request?.PlayerText,
                    request?.Narration,
                    cancellationToken
                )
            )
        );

    private static async Task<Ok<TurnResponse>> Choose(
        string id,
        string turnId,
        ChooseRequest? request,
        HttpContext context,
        AdventureService adventures,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            TurnResponse.From(
                await adventures.ChooseAsync(context.User.UserId(), id, turnId, request?.Alternative, cancellationToken)
            )
        );

    private static async Task<Ok<ContextReport>> Context(
        string id,
        string turnId,
        HttpContext context,
        AdventureService adventures,
        IStoryLog log,
        int? alternative,
        CancellationToken cancellationToken
    )
    {
        var turn = await adventures.GetTurnAsync(context.User.UserId(), id, turnId, cancellationToken);
        var which = alternative ?? turn.Chosen;
        if (which < 0 || which >= turn.Alternatives.Count)
        {
            throw ValidationFailedException.For(
                "alternative",
                "alternative must be between 0 and " + $"{turn.Alternatives.Count - 1}."
            );
        }
        var json = await log.GetContextAsync(id, turnId, which, cancellationToken)
            ?? throw new NotFoundException("context", $"{turnId}/{which}");
        return TypedResults.Ok(JsonSerializer.Deserialize<ContextReport>(json, StoryEventJson.Options)!);
    }

    private static string EncodeCursor(int number) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("t:" + number.ToString(CultureInfo.InvariantCulture)));

    private static int? DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return
                text.StartsWith("t:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
