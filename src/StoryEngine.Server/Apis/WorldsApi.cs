using StoryEngine.Core.Worlds;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

public static class WorldsApi
{
    public static RouteGroupBuilder MapWorldsApi(this RouteGroupBuilder api)
    {
        var worlds = api.MapGroup("/worlds").WithTags("Worlds");
        ResourceApi<World, WorldRequest, WorldResponse>.Map(worlds, new("world", "worlds"));
        return api;
    }
}
