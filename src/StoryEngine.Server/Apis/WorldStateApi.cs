using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Errors;
using StoryEngine.Core.State;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>An adventure's world state: read it as of any turn, and correct it (recorded in the story log).</summary>
public static class WorldStateApi
{
    public static RouteGroupBuilder MapWorldStateApi(this RouteGroupBuilder api)
    {
        var state = api.MapGroup("/adventures/{id}/state").WithTags("Adventures");
        state
            .MapGet("/", Get)
            .WithName("GetWorldState")
            .WithSummary("The world state as of the newest turn, or as " + "of ?atTurn=N")
            .ProducesProblem(400)
            .ProducesProblem(404);
        state
            .MapPatch("/", Patch)
            .WithName("CorrectWorldState")
            .WithSummary("Correct the world state (JSON merge " + "patch, RFC 7396); recorded as an event")
            .Accepts<JsonObject>(JsonMergePatch.MediaType, "application/json")
            .ProducesProblem(400)
            .ProducesProblem(404);
        return api;
    }

    private static async Task<Ok<WorldStateResponse>> Get(
        string id,
        int? atTurn,
        HttpContext context,
        WorldStates states,
        CancellationToken cancellationToken
    )
    {
        var (state, sequence) = await states.GetAsync(context.User.UserId(), id, atTurn, cancellationToken);
        return TypedResults.Ok(new WorldStateResponse(id, atTurn, sequence, state.Normalized()));
    }

    private static async Task<Ok<WorldStateResponse>> Patch(
        string id,
        JsonNode? patch,
        HttpContext context,
        WorldStates states,
        CancellationToken cancellationToken
    )
    {
        if (patch is not JsonObject)
        {
            throw ValidationFailedException.For(
                "body",
                "A merge patch must be a JSON object naming the fields to " + "change."
            );
        }
        var userId = context.User.UserId();
        var (current, _) = await states.GetAsync(userId, id, null, cancellationToken);
        var merged = JsonMergePatch.Apply(JsonSerializer.SerializeToNode(current, StateJson.Strict), patch);
        WorldState corrected;
        try
        {
            corrected = merged.Deserialize<WorldState>(StateJson.Strict) ?? WorldState.Empty;
        }
        catch (JsonException e)
        {
            throw ValidationFailedException.For(
                "state",
                "The patched state does not fit the state's shape: " + $"{e.Message}"
            );
        }
        await states.CorrectAsync(userId, id, corrected, cancellationToken);
        var (state, sequence) = await states.GetAsync(userId, id, null, cancellationToken);
        return TypedResults.Ok(new WorldStateResponse(id, null, sequence, state.Normalized()));
    }
}
