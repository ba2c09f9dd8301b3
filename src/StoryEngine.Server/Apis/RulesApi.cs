using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Tabletop.Rules;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

/// <summary>
/// Rules reference data (issue 23): the same for everyone and changed only by a new release or a new file, so it is
/// public and cacheable: <c>Cache-Control: public, max-age</c> (Tabletop:RulesMaxAgeSeconds), and the API's content
/// ETag with 304 for <c>If-None-Match</c>.
/// </summary>
public static class RulesApi
{
    public static RouteGroupBuilder MapRulesApi(this RouteGroupBuilder api)
    {
        var rules = api.MapGroup("/rules").WithTags("Rules").AllowAnonymous();
        rules.MapGet("/", List).WithName("ListRulesSystems").WithSummary("The rules systems this server knows");
        rules
            .MapGet("/{system}", Get)
            .WithName("GetRulesSystem")
            .WithSummary("One rules system, whole: abilities, skills, conditions, races, classes")
            .ProducesProblem(404);
        rules
            .MapGet("/{system}/{section}", Section)
            .WithName("GetRulesSection")
            .WithSummary("One section of a rules system (abilities, skills, conditions, races or classes)")
            .ProducesProblem(404);
        rules
            .MapGet("/{system}/{section}/{itemId}", Item)
            .WithName("GetRulesItem")
            .WithSummary("One entry of a section, by id (e.g. /rules/srd-5.1/classes/rogue)")
            .ProducesProblem(404);
        return api;
    }

    private static Ok<RulesListResponse> List(HttpContext context, RulesCatalog catalog, TabletopOptions options)
    {
        Cacheable(context, options);
        return TypedResults.Ok(new RulesListResponse([.. catalog.Systems.Select(RulesSystemSummary.From)]));
    }

    private static Ok<RulesSystem> Get(
        string system,
        HttpContext context,
        RulesCatalog catalog,
        TabletopOptions options
    )
    {
        var found = catalog.Get(system);
        Cacheable(context, options);
        return TypedResults.Ok(found);
    }

    private static Ok<JsonElement> Section(
        string system,
        string section,
        HttpContext context,
        RulesCatalog catalog,
        TabletopOptions options
    )
    {
        var items = Items(catalog.Get(system), section);
        Cacheable(context, options);
        return TypedResults.Ok(JsonSerializer.SerializeToElement(new { items }, Json(context)));
    }

    private static Ok<JsonElement> Item(
        string system,
        string section,
        string itemId,
        HttpContext context,
        RulesCatalog catalog,
        TabletopOptions options
    )
    {
        var items = Items(catalog.Get(system), section);
        var item = items.FirstOrDefault(i => string.Equals(IdOf(i), itemId, StringComparison.OrdinalIgnoreCase))
            ?? throw new NotFoundException(section.TrimEnd('s'), itemId);
        Cacheable(context, options);
        return TypedResults.Ok(JsonSerializer.SerializeToElement(item, item.GetType(), Json(context)));
    }

    private static IReadOnlyList<object> Items(RulesSystem rules, string section) =>
        section.ToLowerInvariant() switch
        {
            "abilities" => [.. rules.Abilities],
            "skills" => [.. rules.Skills],
            "conditions" => [.. rules.Conditions],
            "races" => [.. rules.Races],
            "classes" => [.. rules.Classes],
            _ => throw new NotFoundException(
                "rules section",
                section,
                $"No section '{section}'; the sections are {string.Join(", ", RulesSystemSummary.SectionNames)}."
            ),
        };

    private static string IdOf(object item) =>
        item switch
        {
            Ability a => a.Id,
            Skill s => s.Id,
            Condition c => c.Id,
            Race r => r.Id,
            CharacterClass c => c.Id,
            _ => "",
        };

    private static JsonSerializerOptions Json(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

    private static void Cacheable(HttpContext context, TabletopOptions options) =>
        context.Response.Headers.CacheControl = $"public, max-age={options.RulesMaxAgeSeconds}";
}
