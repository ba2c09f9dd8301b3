using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Scenarios;
using StoryEngine.Formats.Scenarios;
using StoryEngine.Formats.Twine;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;
using Api = StoryEngine.Server.Apis.ResourceApi<
    StoryEngine.Core.Scenarios.Scenario,
    StoryEngine.Server.Contracts.ScenarioRequest,
    StoryEngine.Server.Contracts.ScenarioResponse
>;

namespace StoryEngine.Server.Apis;

/// <summary>
/// Scenario graphs (issue 24): the shared CRUD with ETags and trash under a world, and validation, publishing,
/// versions, diff, import and export (Twee 3, Twine 2 HTML, JSON, SVG, PNG, PDF), clone, share links, statistics;
/// playing them through an adventure (its position, a choice by button or by free text).
/// </summary>
public static class ScenariosApi
{
    public const int DefaultVersionPage = 50;

    public static RouteGroupBuilder MapScenariosApi(this RouteGroupBuilder api)
    {
        var scenarios = api.MapGroup("/worlds/{worldId}/scenarios").WithTags("Scenarios");
        scenarios
            .MapPost("/import", Import)
            .WithName("ImportScenario")
            .WithSummary("Import a scenario: Twee 3, Twine 2 HTML or scenario JSON (multipart 'file' or the raw file)")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(413)
            .ProducesProblem(415);
        ResourceNames names = new("scenario", "scenarios");
        scenarios.MapGet("/", Api.List).AsList(names);
        scenarios.MapGet("/trash", Api.ListTrash).AsListTrash(names);
        scenarios.MapGet("/{id}", Api.Get).AsGet(names);
        scenarios.MapPost("/", Api.Create).AsCreate(names);
        scenarios.MapPut("/{id}", Api.Replace).AsReplace(names);
        scenarios.MapPatch("/{id}", Api.Patch).AsPatch(names);
        scenarios.MapDelete("/{id}", Api.Delete).AsDelete(names);
        scenarios.MapPost("/{id}/restore", Api.Restore).AsRestore(names);
        scenarios
            .MapPost("/{id}/validate", Validate)
            .WithName("ValidateScenario")
            .WithSummary("Check the graph: unreachable scenes, dead ends, missing targets, loops with no way out, …")
            .ProducesProblem(404);
        scenarios
            .MapPost("/{id}/publish", Publish)
            .WithName("PublishScenario")
            .WithSummary("Publish the scenario (refused while validation finds errors); ?published=false withdraws it")
            .ProducesProblem(404)
            .ProducesProblem(412)
            .ProducesProblem(422);
        scenarios
            .MapGet("/{id}/versions", ListVersions)
            .WithName("ListScenarioVersions")
            .WithSummary("The scenario's saved versions, newest first, paged")
            .ProducesProblem(400)
            .ProducesProblem(404);
        scenarios
            .MapGet("/{id}/versions/{number}", GetVersion)
            .WithName("GetScenarioVersion")
            .WithSummary("One saved version of the scenario")
            .ProducesProblem(404);
        scenarios
            .MapPost("/{id}/versions/{number}/restore", RestoreVersion)
            .WithName("RestoreScenarioVersion")
            .WithSummary("Make an old version's content the newest version")
            .ProducesProblem(404)
            .ProducesProblem(412);
        scenarios
            .MapGet("/{id}/diff", Diff)
            .WithName("DiffScenarioVersions")
            .WithSummary("Scenes and choices added, removed or changed between two versions (from, to)")
            .ProducesProblem(400)
            .ProducesProblem(404);
        scenarios
            .MapGet("/{id}/export", Export)
            .WithName("ExportScenario")
            .WithSummary(
                "Download as Twee 3 (twee), Twine 2 HTML (html), JSON (json), a graph (svg, png) or the script (pdf)"
            )
            .ProducesProblem(400)
            .ProducesProblem(404);
        scenarios
            .MapPost("/{id}/clone", Clone)
            .WithName("CloneScenario")
            .WithSummary("Copy the scenario (into worldId when given), as an unpublished draft")
            .ProducesProblem(400)
            .ProducesProblem(404);
        scenarios
            .MapPost("/{id}/share", Share)
            .WithName("ShareScenario")
            .WithSummary("Make a share link, with an optional password and expiry")
            .ProducesProblem(400)
            .ProducesProblem(404);
        scenarios
            .MapGet("/{id}/shares", ListShares)
            .WithName("ListScenarioShares")
            .WithSummary("The scenario's share links (never their tokens)")
            .ProducesProblem(404);
        scenarios
            .MapDelete("/{id}/shares/{shareId}", RevokeShare)
            .WithName("RevokeScenarioShare")
            .WithSummary("Revoke a share link")
            .ProducesProblem(404);
        scenarios
            .MapGet("/{id}/stats", Stats)
            .WithName("GetScenarioStats")
            .WithSummary("Plays, completions, endings reached and drop-off per scene, from the adventures' logs")
            .ProducesProblem(404);

        api.MapGet("/scenarios/templates", Templates)
            .WithTags("Scenarios")
            .WithName("ListScenarioTemplates")
            .WithSummary("The template gallery: your scenarios marked as templates, in all your worlds");
        var shared = api.MapGroup("/scenarios/shared").WithTags("Scenarios");
        shared
            .MapGet("/{token}", OpenShared)
            .WithName("GetSharedScenario")
            .WithSummary("A shared scenario, without an account (password in X-Share-Password when it has one)")
            .AllowAnonymous()
            .ProducesProblem(401)
            .ProducesProblem(404)
            .ProducesProblem(410);
        shared
            .MapPost("/{token}/clone", CloneShared)
            .WithName("CloneSharedScenario")
            .WithSummary("Copy a shared scenario into one of your worlds, to play it")
            .ProducesProblem(400)
            .ProducesProblem(401)
            .ProducesProblem(404)
            .ProducesProblem(410);

        var play = api.MapGroup("/adventures/{id}/scenario").WithTags("Scenarios");
        play.MapGet("/", Position)
            .WithName("GetScenarioPosition")
            .WithSummary("Where the adventure is in its scenario: the scene, the open choices, the path so far")
            .ProducesProblem(404)
            .ProducesProblem(409);
        play.MapPost("/choices", Choose)
            .WithName("TakeScenarioChoice")
            .WithSummary("Take one of the open choices as the player's turn (SSE or JSON, as a turn)")
            .Produces(200, contentType: "text/event-stream")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409)
            .RequireRateLimiting(Hosting.ProtectionServiceCollectionExtensions.GenerationPolicy);
        play.MapPost("/actions", Act)
            .WithName("TakeScenarioAction")
            .WithSummary("Play free text; the utility model matches it to an open choice or to staying in the scene")
            .Produces(200, contentType: "text/event-stream")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409)
            .RequireRateLimiting(Hosting.ProtectionServiceCollectionExtensions.GenerationPolicy);
        return api;
    }

    private static async Task<ETagged<Created<ScenarioResponse>>> Import(
        string worldId,
        HttpContext context,
        ResourceService<Scenario> resources,
        CancellationToken cancellationToken
    )
    {
        var upload = await Uploads.ReadAsync(context.Request, cancellationToken);
        var body = ScenarioFiles.Read(upload.Content);
        if (string.IsNullOrWhiteSpace(body.Name) && upload.FileName is { } file)
        {
            body = body with { Name = Path.GetFileNameWithoutExtension(file) };
        }
        var created = await resources.CreateAsync(
            Scope(context, worldId),
            body with
            {
                Published = false,
            },
            cancellationToken
        );
        return ETagged.Of(
            ETags.ForVersion(created.Version),
            TypedResults.Created(
                $"{context.Request.PathBase}/api/v1/worlds/{worldId}/scenarios/{created.Id}",
                ScenarioResponse.From(created)
            )
        );
    }

    private static async Task<Ok<ScenarioFindingsResponse>> Validate(
        string worldId,
        string id,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var findings = await scenarios.ValidateAsync(Scope(context, worldId), id, cancellationToken);
        return TypedResults.Ok(new ScenarioFindingsResponse(findings, ScenarioValidator.HasErrors(findings)));
    }

    private static async Task<ETagged<Ok<ScenarioResponse>>> Publish(
        string worldId,
        string id,
        bool? published,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var updated = await scenarios.PublishAsync(
            Scope(context, worldId),
            id,
            published ?? true,
            ETags.ExpectedVersion(context.Request),
            cancellationToken
        );
        return ETagged.Of(ETags.ForVersion(updated.Version), TypedResults.Ok(ScenarioResponse.From(updated)));
    }

    private static async Task<Ok<PageResponse<ScenarioVersionSummary>>> ListVersions(
        string worldId,
        string id,
        int? limit,
        string? cursor,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > ListQuery.MaxLimit)
        {
            errors.Add("limit", $"limit must be between 1 and {ListQuery.MaxLimit}.");
        }
        int? before = null;
        if (cursor is { Length: > 0 })
        {
            if (int.TryParse(cursor, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                before = n;
            }
            else
            {
                errors.Add("cursor", "cursor is not one this server handed out; start again without it.");
            }
        }
        errors.ThrowIfAny();
        var take = limit ?? DefaultVersionPage;
        var versions = await scenarios.ListVersionsAsync(
            Scope(context, worldId),
            id,
            before,
            take + 1,
            cancellationToken
        );
        var items = versions.Take(take).ToArray();
        var next =
            versions.Count > take ? items[^1].Number.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        Paging.AddNextLink(context, next);
        return TypedResults.Ok(
            new PageResponse<ScenarioVersionSummary>(
                [
                    .. items.Select(v => new ScenarioVersionSummary(
                        v.Number,
                        v.CreatedAt,
                        v.Body.Nodes.Count,
                        v.Body.Edges.Count,
                        v.Body.Published
                    )),
                ],
                next
            )
        );
    }

    private static async Task<Ok<ScenarioVersionResponse>> GetVersion(
        string worldId,
        string id,
        int number,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var version = await scenarios.GetVersionAsync(Scope(context, worldId), id, number, cancellationToken);
        return TypedResults.Ok(new ScenarioVersionResponse(version.Number, version.CreatedAt, version.Body));
    }

    private static async Task<ETagged<Ok<ScenarioResponse>>> RestoreVersion(
        string worldId,
        string id,
        int number,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var restored = await scenarios.RestoreVersionAsync(
            Scope(context, worldId),
            id,
            number,
            ETags.ExpectedVersion(context.Request),
            cancellationToken
        );
        return ETagged.Of(ETags.ForVersion(restored.Version), TypedResults.Ok(ScenarioResponse.From(restored)));
    }

    private static async Task<Ok<ScenarioDiff>> Diff(
        string worldId,
        string id,
        int? from,
        int? to,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    ) => TypedResults.Ok(await scenarios.DiffAsync(Scope(context, worldId), id, from, to, cancellationToken));

    private static async Task<FileContentHttpResult> Export(
        string worldId,
        string id,
        string? format,
        HttpContext context,
        ResourceService<Scenario> resources,
        CancellationToken cancellationToken
    )
    {
        var kind = (format ?? "json").ToLowerInvariant();
        if (kind is not ("twee" or "html" or "json" or "svg" or "png" or "pdf"))
        {
            throw ValidationFailedException.For("format", "format must be one of twee, html, json, svg, png, pdf.");
        }
        var scenario = (await resources.GetAsync(Scope(context, worldId), id, cancellationToken)).Body;
        var name = FileName(scenario.Name);
        return kind switch
        {
            "twee" => Text(TweeFormat.Write(ScenarioTwine.ToTwine(scenario)), "text/plain", $"{name}.twee"),
            "html" => Text(TwineHtml.Write(ScenarioTwine.ToTwine(scenario)), "text/html", $"{name}.html"),
            "json" => Text(ScenarioFiles.WriteJson(scenario), "application/json", $"{name}.json"),
            "svg" => Text(
                ScenarioGraphics.Svg(scenario, ScenarioLayout.Of(scenario), ScenarioValidator.Validate(scenario)),
                "image/svg+xml",
                $"{name}.svg"
            ),
            "png" => TypedResults.File(
                ScenarioGraphics.Png(scenario, ScenarioLayout.Of(scenario)),
                "image/png",
                $"{name}.png"
            ),
            _ => TypedResults.File(ScenarioGraphics.Pdf(scenario), "application/pdf", $"{name}.pdf"),
        };
    }

    private static async Task<ETagged<Created<ScenarioResponse>>> Clone(
        string worldId,
        string id,
        CloneRequest? request,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var created = await scenarios.CloneAsync(
            Scope(context, worldId),
            id,
            string.IsNullOrEmpty(request?.WorldId) ? null : request.WorldId,
            request?.Name,
            cancellationToken
        );
        return Created(context, created);
    }

    private static async Task<Created<ShareResponse>> Share(
        string worldId,
        string id,
        ShareRequest? request,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var (share, token) = await scenarios.ShareAsync(
            Scope(context, worldId),
            id,
            request?.Password,
            request?.ExpiresInHours,
            cancellationToken
        );
        var url =
            $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/scenarios/shared/{token}";
        return TypedResults.Created(
            $"{context.Request.PathBase}/api/v1/scenarios/shared/{token}",
            new ShareResponse(share.Id, token, url, share.ExpiresAt, share.PasswordHash is not null)
        );
    }

    private static async Task<Ok<IReadOnlyList<ShareSummary>>> ListShares(
        string worldId,
        string id,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var shares = await scenarios.ListSharesAsync(Scope(context, worldId), id, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ShareSummary>>([
            .. shares.Select(s => new ShareSummary(
                s.Id,
                s.CreatedAt,
                s.ExpiresAt,
                s.RevokedAt,
                s.PasswordHash is not null
            )),
        ]);
    }

    private static async Task<NoContent> RevokeShare(
        string worldId,
        string id,
        string shareId,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        await scenarios.RevokeShareAsync(Scope(context, worldId), id, shareId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ScenarioStatsResponse>> Stats(
        string worldId,
        string id,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var stats = await scenarios.StatsAsync(Scope(context, worldId), id, cancellationToken);
        return TypedResults.Ok(
            new ScenarioStatsResponse(stats.Plays, stats.Completions, stats.Endings, stats.StoppedAt)
        );
    }

    private static async Task<Ok<IReadOnlyList<ResourceSummaryResponse>>> Templates(
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var templates = await scenarios.TemplatesAsync(context.User.UserId(), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ResourceSummaryResponse>>([
            .. templates.Select(ResourceSummaryResponse.From),
        ]);
    }

    private static async Task<Ok<SharedScenarioResponse>> OpenShared(
        string token,
        [FromHeader(Name = "X-Share-Password")] string? password,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        var (scenario, share) = await scenarios.OpenShareAsync(token, password, cancellationToken);
        var body = scenario.Body;
        return TypedResults.Ok(
            new SharedScenarioResponse(
                body.Name,
                body.Description,
                body.StartNodeId,
                body.Nodes,
                body.Edges,
                share.ExpiresAt
            )
        );
    }

    private static async Task<ETagged<Created<ScenarioResponse>>> CloneShared(
        string token,
        CloneRequest? request,
        HttpContext context,
        ScenarioService scenarios,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(request?.WorldId))
        {
            throw ValidationFailedException.For("worldId", "worldId is required: the world of yours to copy it into.");
        }
        var (scenario, _) = await scenarios.OpenShareAsync(token, request.Password, cancellationToken);
        var created = await scenarios.CopyAsync(
            context.User.UserId(),
            scenario.Body,
            request.WorldId,
            request.Name,
            cancellationToken
        );
        return Created(context, created);
    }

    private static async Task<Ok<ScenarioPositionResponse>> Position(
        string id,
        HttpContext context,
        ScenarioPlay play,
        Core.Adventures.AdventureService adventures,
        CancellationToken cancellationToken
    )
    {
        await adventures.GetAsync(context.User.UserId(), id, cancellationToken); // 404 for someone else's
        var position = await play.PositionAsync(context.User.UserId(), id, cancellationToken);
        return TypedResults.Ok(ScenarioPositionResponse.From(position));
    }

    private static async Task<Results<TurnEventStream, Ok<TurnResponse>, ProblemHttpResult>> Choose(
        string id,
        ChoiceRequest? request,
        HttpContext context,
        ScenarioPlay play,
        Core.Adventures.AdventureService adventures,
        CancellationToken cancellationToken
    )
    {
        await adventures.GetAsync(context.User.UserId(), id, cancellationToken);
        var run = await play.ChooseAsync(context.User.UserId(), id, request?.EdgeId, cancellationToken);
        return await TurnStreaming.RespondAsync(context, run, announce: true);
    }

    private static async Task<Results<TurnEventStream, Ok<TurnResponse>, ProblemHttpResult>> Act(
        string id,
        TakeTurnRequest? request,
        HttpContext context,
        ScenarioPlay play,
        Core.Adventures.AdventureService adventures,
        CancellationToken cancellationToken
    )
    {
        await adventures.GetAsync(context.User.UserId(), id, cancellationToken);
        var (run, match) = await play.ActAsync(
            context.User.UserId(),
            id,
            request?.Kind,
            request?.Text,
            cancellationToken
        );
        context.Response.Headers["X-Scenario-Choice"] = match.EdgeId ?? "stay";
        return await TurnStreaming.RespondAsync(context, run, announce: true);
    }

    private static ETagged<Created<ScenarioResponse>> Created(HttpContext context, StoredResource<Scenario> created) =>
        ETagged.Of(
            ETags.ForVersion(created.Version),
            TypedResults.Created(
                $"{context.Request.PathBase}/api/v1/worlds/{created.ParentId}/scenarios/{created.Id}",
                ScenarioResponse.From(created)
            )
        );

    private static FileContentHttpResult Text(string text, string contentType, string fileName) =>
        TypedResults.File(Encoding.UTF8.GetBytes(text), contentType + "; charset=utf-8", fileName);

    private static string FileName(string name)
    {
        var safe = new string([.. name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_')]).Trim('_');
        return safe.Length == 0 ? "scenario"
            : safe.Length > 60 ? safe[..60]
            : safe;
    }

    private static ResourceScope Scope(HttpContext context, string worldId) => new(context.User.UserId(), worldId);
}
