using StoryEngine.Core.Locations;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

public static class LocationsApi
{
    public static RouteGroupBuilder MapLocationsApi(this RouteGroupBuilder api)
    {
        var locations = api.MapGroup("/worlds/{worldId}/locations").WithTags("Locations");
        ResourceApi<Location, LocationRequest, LocationResponse>.Map(locations, new("location", "locations"));
        return api;
    }
}
