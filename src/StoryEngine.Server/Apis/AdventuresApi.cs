using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;
using StoryEngine.Formats.Chats;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

public static class AdventuresApi
{
    public static RouteGroupBuilder MapAdventuresApi(this RouteGroupBuilder api)
    {
        var adventures = api.MapGroup("/adventures").WithTags("Adventures");
        adventures
            .MapPost("/", Create)
            .WithName("CreateAdventure")
            .WithSummary("Start an adventure in a world " + "(with its opening as turn 0)")
            .ProducesProblem(400);
        // No Accepts(...), as with card imports: the file's content decides what it is, whatever the client called it.
        adventures
            .MapPost("/import", Import)
            .WithName("ImportChat")
            .WithSummary(
                "Make an adventure of a SillyTavern chat (JSONL) or TavernAI chat (JSON): multipart 'file', "
                    + "'worldId', optional 'characterId', 'personaId', 'title'; up to 20 MB and 10,000 messages"
            )
            .ProducesProblem(400)
            .ProducesProblem(413)
            .ProducesProblem(422);
        adventures
            .MapGet("/", List)
            .WithName("ListAdventures")
            .WithSummary("Your adventures, newest first")
            .ProducesProblem(400);
        adventures.MapGet("/{id}", Get).WithName("GetAdventure").WithSummary("One adventure").ProducesProblem(404);
        adventures
            .MapPatch("/{id}", Patch)
            .WithName("PatchAdventure")
            .WithSummary(
                "Change an adventure's title, author's note, memory or generation settings (JSON merge patch, "
                    + "RFC 7396; If-Match for lost-update protection); recorded as an event"
            )
            .Accepts<System.Text.Json.Nodes.JsonObject>(JsonMergePatch.MediaType, "application/json")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(412)
            .ProducesProblem(413)
            .ProducesProblem(415);
        adventures
            .MapDelete("/{id}", Delete)
            .WithName("DeleteAdventure")
            .WithSummary("Delete an adventure and its story log")
            .ProducesProblem(404)
            .ProducesProblem(409);
        adventures
            .MapPost("/{id}/undo", Undo)
            .WithName("UndoTurn")
            .WithSummary("Take back the newest turn (it " + "stays in the log)")
            .ProducesProblem(404)
            .ProducesProblem(409);
        adventures
            .MapPost("/{id}/opening", ChooseOpening)
            .WithName("ChooseOpening")
            .WithSummary("Swipe the opening to another of the character's greetings, before the first turn")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409);
        adventures
            .MapPost("/{id}/fork", Fork)
            .WithName("ForkAdventure")
            .WithSummary("A new adventure whose history " + "is this one's up to a turn")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409);
        adventures
            .MapPost("/{id}/stop", Stop)
            .WithName("StopNarration")
            .WithSummary("Stop the narration in flight; " + "its text so far is kept")
            .ProducesProblem(404)
            .ProducesProblem(409);
        adventures
            .MapGet("/{id}/stream", Stream)
            .WithName("StreamNarration")
            .WithSummary("Re-attach to the narration in flight (SSE); Last-Event-ID resumes after the last token seen")
            .Produces(200, contentType: "text/event-stream")
            .Produces(204)
            .ProducesProblem(404);
        adventures
            .MapGet("/{id}/events", Events)
            .WithName("ListStoryEvents")
            .WithSummary("The raw story log, " + "oldest first, paged")
            .ProducesProblem(400)
            .ProducesProblem(404);
        return api;
    }

    private static async Task<Created<AdventureResponse>> Create(
        CreateAdventureRequest? request,
        HttpContext context,
        AdventureService adventures,
        CancellationToken cancellationToken
    )
    {
        if (request is null)
        {
            throw new BadHttpRequestException("This request needs a JSON body.");
        }
        var adventure = await adventures.CreateAsync(
            context.User.UserId(),
            new NewAdventure(
                request.WorldId,
                request.PersonaId,
                request.CharacterIds,
                request.StartLocationId,
                request.Opening,
                request.Title,
                request.GreetingIndex,
                request.ScenarioId
            ),
            cancellationToken
        );
        return TypedResults.Created($"/api/v1/adventures/{adventure.Id}", AdventureResponse.From(adventure));
    }

    private static async Task<Created<AdventureResponse>> Import(
        HttpContext context,
        ChatImport import,
        CancellationToken cancellationToken
    )
    {
        var upload = await Uploads.ReadAsync(context.Request, cancellationToken);
        var chat = ChatFile.Read(upload.Content);
        // The fields come with the file in the form; a raw upload names them in the query string.
        var request = context.Request.HasFormContentType ? context.Request.Form : null;
        string? Field(string name) => request?[name].FirstOrDefault() ?? context.Request.Query[name].FirstOrDefault();
        var fields = new ChatImportRequest(
            Field("worldId"),
            Field("characterId"),
            Field("personaId"),
            Field("title"),
            upload.FileName
        );
        var adventure = await import.ImportAsync(context.User.UserId(), fields, chat, cancellationToken);
        return TypedResults.Created($"/api/v1/adventures/{adventure.Id}", AdventureResponse.From(adventure));
    }

    private static async Task<ETagged<Ok<PageResponse<AdventureResponse>>>> List(
        HttpContext context,
        AdventureService adventures,
        int? limit,
        string? cursor,
        string? q,
        CancellationToken cancellationToken
    )
    {
        var page = await adventures.ListAsync(
            context.User.UserId(),
            ListQuery.From(limit, cursor, q, null),
            cancellationToken
        );
        Paging.AddNextLink(context, page.NextCursor);
        return ETagged.IfNoneMatch(
            ETags.ForList(page.Items.Select(a => (a.Id, a.LastSequence)), page.NextCursor),
            TypedResults.Ok(
                new PageResponse<AdventureResponse>(
                    page.Items.Select(AdventureResponse.From).ToArray(),
                    page.NextCursor
                )
            )
        );
    }

    private static async Task<ETagged<Ok<AdventureResponse>>> Get(
        string id,
        HttpContext context,
        AdventureService adventures,
        CancellationToken cancellationToken
    )
    {
        var adventure = await adventures.GetAsync(context.User.UserId(), id, cancellationToken);
        // The adventure changes exactly when its story log grows, so the last sequence is its version.
        return ETagged.IfNoneMatch(
            ETags.ForVersion(adventure.LastSequence),
            TypedResults.Ok(AdventureResponse.From(adventure))
        );
    }

    private static async Task<ETagged<Ok<AdventureResponse>>> Patch(
        string id,
        System.Text.Json.Nodes.JsonNode? patch,
        HttpContext context,
        AdventureSettingsService settings,
        Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        CancellationToken cancellationToken
    )
    {
        if (patch is not System.Text.Json.Nodes.JsonObject)
        {
            throw ValidationFailedException.For(
                "body",
                "A merge patch must be a JSON object naming the fields to change."
            );
        }
        var options = json.Value.SerializerOptions;
        var adventure = await settings.ChangeAsync(
            context.User.UserId(),
            id,
            ETags.ExpectedVersion(context.Request),
            current =>
            {
                var merged = JsonMergePatch.Apply(
                    System.Text.Json.JsonSerializer.SerializeToNode(AdventureSettingsRequest.From(current), options),
                    patch
                );
                return System
                    .Text.Json.JsonSerializer.Deserialize<AdventureSettingsRequest>(merged, options)!
                    .ToHeader();
            },
            cancellationToken
        );
        return ETagged.Of(ETags.ForVersion(adventure.LastSequence), TypedResults.Ok(AdventureResponse.From(adventure)));
    }

    private static async Task<NoContent> Delete(
        string id,
        HttpContext context,
        AdventureService adventures,
        CancellationToken cancellationToken
    )
    {
        await adventures.DeleteAsync(context.User.UserId(), id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<TurnResponse>> Undo(
        string id,
        HttpContext context,
        AdventureService adventures,
        CancellationToken cancellationToken
    ) => TypedResults.Ok(TurnResponse.From(await adventures.UndoAsync(context.User.UserId(), id, cancellationToken)));

    private static async Task<Ok<TurnResponse>> ChooseOpening(
        string id,
        ChooseOpeningRequest? request,
        HttpContext context,
        AdventureService adventures,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            TurnResponse.From(
                await adventures.ChooseOpeningAsync(
                    context.User.UserId(),
                    id,
                    request?.GreetingIndex,
                    cancellationToken
                )
            )
        );

    private static async Task<Created<AdventureResponse>> Fork(
        string id,
        ForkRequest? request,
        HttpContext context,
        AdventureService adventures,
        CancellationToken cancellationToken
    )
    {
        var fork = await adventures.ForkAsync(context.User.UserId(), id, request?.AtTurnId, cancellationToken);
        return TypedResults.Created($"/api/v1/adventures/{fork.Id}", AdventureResponse.From(fork));
    }

    private static async Task<Ok<TurnResponse>> Stop(
        string id,
        HttpContext context,
        TurnService turns,
        CancellationToken cancellationToken
    )
    {
        var run = await turns.StopAsync(context.User.UserId(), id, cancellationToken);
        var outcome = await TurnStreaming.OutcomeAsync(run, cancellationToken);
        return TypedResults.Ok(TurnResponse.From(outcome.Turn));
    }

    private static async Task<IResult> Stream(
        string id,
        HttpContext context,
        TurnService turns,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        CancellationToken cancellationToken
    )
    {
        var run = await turns.FindRunAsync(context.User.UserId(), id, cancellationToken);
        if (run is null)
        {
            return TypedResults.NoContent(); // nothing in flight or just finished: read the transcript instead
        }
        return (
            await TurnStreaming.RespondAsync(context, run, announce: false, afterToken: run.ResumeAfter(lastEventId))
        ).Result;
    }

    private static async Task<ETagged<Ok<PageResponse<StoryEventResponse>>>> Events(
        string id,
        HttpContext context,
        AdventureService adventures,
        IStoryLog log,
        int? limit,
        long? after,
        CancellationToken cancellationToken
    )
    {
        if (limit is < 1 or > ListQuery.MaxLimit || after is < 0)
        {
            throw ValidationFailedException.For(
                limit is < 1 or > ListQuery.MaxLimit ? "limit" : "after",
                $"limit must be between 1 and {ListQuery.MaxLimit}; after must be a sequence number (0 or more)."
            );
        }
        await adventures.GetAsync(context.User.UserId(), id, cancellationToken);
        var take = limit ?? ListQuery.DefaultLimit;
        var events = await log.ReadAsync(id, after ?? 0, take + 1, cancellationToken);
        var items = events.Take(take).Select(StoryEventResponse.From).ToArray();
        var next =
            events.Count > take ? items[^1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        if (next is not null)
        {
            context.Response.Headers.Link = $"<{context.Request.Path}?limit={take}&after={next}>; rel=\"next\"";
        }
        // Events never change once written: a page is identified by where it starts and ends.
        var etag = ETags.ForItems(
            items.Select(e => e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            next
        );
        return ETagged.IfNoneMatch(etag, TypedResults.Ok(new PageResponse<StoryEventResponse>(items, next)));
    }
}
