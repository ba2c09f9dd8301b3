using StoryEngine.Core.Worlds;
using StoryEngine.Server.Contracts;
using Api = StoryEngine.Server.Apis.ResourceApi<
    StoryEngine.Core.Worlds.World,
    StoryEngine.Server.Contracts.WorldRequest,
    StoryEngine.Server.Contracts.WorldResponse
>;

namespace StoryEngine.Server.Apis;

public static class WorldsApi
{
    public static RouteGroupBuilder MapWorldsApi(this RouteGroupBuilder api)
    {
        var worlds = api.MapGroup("/worlds").WithTags("Worlds");
        ResourceNames names = new("world", "worlds");
        worlds.MapGet("/", Api.List).AsList(names);
        worlds.MapGet("/trash", Api.ListTrash).AsListTrash(names);
        worlds.MapGet("/{id}", Api.Get).AsGet(names);
        worlds.MapPost("/", Api.Create).AsCreate(names);
        worlds.MapPut("/{id}", Api.Replace).AsReplace(names);
        worlds.MapPatch("/{id}", Api.Patch).AsPatch(names);
        worlds.MapDelete("/{id}", Api.Delete).AsDelete(names);
        worlds.MapPost("/{id}/restore", Api.Restore).AsRestore(names);
        return api;
    }
}
