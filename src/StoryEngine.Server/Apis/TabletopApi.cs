using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Tabletop;
using StoryEngine.Core.Tabletop.Sheets;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

/// <summary>
/// Tabletop play in an adventure (issue 23; docs/tabletop.md): the table, rolls, character sheets and the combat
/// tracker. Every change is one or more story events, appended at the turn that stands.
/// </summary>
public static class TabletopApi
{
    public static RouteGroupBuilder MapTabletopApi(this RouteGroupBuilder api)
    {
        var adventure = api.MapGroup("/adventures/{id}").WithTags("Tabletop");
        adventure
            .MapGet("/tabletop", GetTable)
            .WithName("GetTabletop")
            .WithSummary("The table: rules, sheets with derived values, the fight, newest rolls, open check requests")
            .ProducesProblem(404);
        adventure
            .MapPut("/tabletop/rules", ChooseRules)
            .WithName("ChooseTabletopRules")
            .WithSummary("Play the adventure by a rules system (an id from GET /rules); recorded as an event")
            .ProducesProblem(400)
            .ProducesProblem(404);
        adventure
            .MapGet("/rolls", ListRolls)
            .WithName("ListRolls")
            .WithSummary("The rolls that count, newest first (?limit=, at most 500)")
            .ProducesProblem(400)
            .ProducesProblem(404);
        adventure
            .MapPost("/rolls", Roll)
            .WithName("Roll")
            .WithSummary("Roll dice on the server (expression, or a check: skill, dc); recorded as an event")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(422);
        adventure
            .MapGet("/sheets", ListSheets)
            .WithName("ListSheets")
            .WithSummary("The character sheets with their derived values")
            .ProducesProblem(404);
        adventure
            .MapPut("/sheets/{name}", SaveSheet)
            .WithName("SaveSheet")
            .WithSummary("Create or replace a character's sheet; recorded as an event")
            .ProducesProblem(400)
            .ProducesProblem(404);
        adventure
            .MapDelete("/sheets/{name}", RemoveSheet)
            .WithName("RemoveSheet")
            .WithSummary("Take a character's sheet out of the adventure; recorded as an event")
            .ProducesProblem(404);
        adventure
            .MapPost("/combat", StartCombat)
            .WithName("StartCombat")
            .WithSummary("Start a fight: combatants (initiative rolled from the sheet when left out)")
            .ProducesProblem(400)
            .ProducesProblem(404);
        adventure
            .MapPost("/combat/{action}", Act)
            .WithName("CombatAction")
            .WithSummary("next-turn, end, hp, condition, remove-condition, join or leave; recorded as an event")
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409);
        return api;
    }

    private static async Task<Ok<TabletopResponse>> GetTable(
        string id,
        HttpContext context,
        TabletopService tabletop,
        StoryEngine.Core.Narration.INarrator narrator,
        CancellationToken cancellationToken
    )
    {
        var view = await tabletop.GetAsync(context.User.UserId(), id, cancellationToken);
        var pending = await tabletop.PendingChecksAsync(view, cancellationToken);
        return TypedResults.Ok(
            new TabletopResponse(
                id,
                view.Rules.Id,
                !view.State.IsEmpty,
                Sheets(view),
                view.State.Combat,
                [.. view.State.Rolls.TakeLast(20).Reverse().Select(RollResponse.From)],
                pending,
                TabletopPrompt.Render(view, narrator.Settings.UsesTools)
            )
        );
    }

    private static async Task<Ok<TabletopResponse>> ChooseRules(
        string id,
        ChooseRulesBody body,
        HttpContext context,
        TabletopService tabletop,
        StoryEngine.Core.Narration.INarrator narrator,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(body.System))
        {
            throw ValidationFailedException.For("system", "system is required (e.g. srd-5.1).");
        }
        await tabletop.ChooseRulesAsync(context.User.UserId(), id, body.System.Trim(), cancellationToken);
        return await GetTable(id, context, tabletop, narrator, cancellationToken);
    }

    private static async Task<Ok<RollListResponse>> ListRolls(
        string id,
        int? limit,
        HttpContext context,
        TabletopService tabletop,
        CancellationToken cancellationToken
    )
    {
        if (limit is < 1 or > 500)
        {
            throw ValidationFailedException.For("limit", "limit must be from 1 to 500.");
        }
        var view = await tabletop.GetAsync(context.User.UserId(), id, cancellationToken);
        return TypedResults.Ok(
            new RollListResponse([.. view.State.Rolls.Reverse().Take(limit ?? 100).Select(RollResponse.From)])
        );
    }

    private static async Task<Created<RollResponse>> Roll(
        string id,
        RollRequestBody body,
        HttpContext context,
        TabletopService tabletop,
        CancellationToken cancellationToken
    )
    {
        if (body.Skill is null && body.RequestId is null && string.IsNullOrWhiteSpace(body.Expression))
        {
            throw ValidationFailedException.For("expression", "expression is required, e.g. 1d20+3 (or a skill).");
        }
        var roll = await tabletop.RollAsync(
            context.User.UserId(),
            id,
            new RollRequest(
                body.Expression,
                body.Reason,
                body.Character,
                body.Skill,
                body.Dc,
                body.Advantage,
                body.RequestId
            ),
            cancellationToken
        );
        return TypedResults.Created($"/api/v1/adventures/{id}/rolls", RollResponse.From(roll));
    }

    private static async Task<Ok<SheetListResponse>> ListSheets(
        string id,
        HttpContext context,
        TabletopService tabletop,
        CancellationToken cancellationToken
    )
    {
        var view = await tabletop.GetAsync(context.User.UserId(), id, cancellationToken);
        return TypedResults.Ok(new SheetListResponse(view.Rules.Id, Sheets(view)));
    }

    private static async Task<Ok<SheetResponse>> SaveSheet(
        string id,
        string name,
        CharacterSheet? body,
        HttpContext context,
        TabletopService tabletop,
        CancellationToken cancellationToken
    )
    {
        if (body is null || body.Abilities is null)
        {
            throw ValidationFailedException.For("abilities", "A sheet needs its ability scores (e.g. {\"str\": 10}).");
        }
        var saved = await tabletop.SaveSheetAsync(
            context.User.UserId(),
            id,
            body with
            {
                Name = name,
            },
            cancellationToken
        );
        var view = await tabletop.ViewAsync(id, cancellationToken);
        return TypedResults.Ok(new SheetResponse(saved, SheetMath.Derive(saved, view.Rules)));
    }

    private static async Task<NoContent> RemoveSheet(
        string id,
        string name,
        HttpContext context,
        TabletopService tabletop,
        CancellationToken cancellationToken
    )
    {
        await tabletop.RemoveSheetAsync(context.User.UserId(), id, name, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<CombatResponse>> StartCombat(
        string id,
        StartCombatBody body,
        HttpContext context,
        TabletopCombat combat,
        CancellationToken cancellationToken
    )
    {
        var view = await combat.StartAsync(
            context.User.UserId(),
            id,
            body.Combatants?.Select(Entry).ToArray(),
            cancellationToken
        );
        return TypedResults.Ok(new CombatResponse(view.State.Combat, Sheets(view)));
    }

    private static async Task<Ok<CombatResponse>> Act(
        string id,
        string action,
        CombatActionBody? body,
        HttpContext context,
        TabletopCombat combat,
        CancellationToken cancellationToken
    )
    {
        var view = await combat.ActAsync(
            context.User.UserId(),
            id,
            new TableAction(
                action,
                body?.Name,
                body?.Delta,
                body?.TempHp,
                body?.Condition,
                body?.Rounds,
                body?.Reason,
                body?.Combatant is { } c ? Entry(c) : null
            ),
            cancellationToken
        );
        return TypedResults.Ok(new CombatResponse(view.State.Combat, Sheets(view)));
    }

    private static CombatantEntry Entry(CombatantBody c) =>
        new(c.Name, c.Initiative, c.Hp, c.MaxHp, c.ArmorClass, c.Npc);

    private static SheetResponse[] Sheets(TabletopView view) =>
        [.. view.State.Sheets.Select(s => new SheetResponse(s, SheetMath.Derive(s, view.Rules)))];
}
