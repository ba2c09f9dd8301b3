using StoryEngine.Core.Locations;
using StoryEngine.Server.Contracts;
using Api = StoryEngine.Server.Apis.ResourceApi<
    StoryEngine.Core.Locations.Location,
    StoryEngine.Server.Contracts.LocationRequest,
    StoryEngine.Server.Contracts.LocationResponse
>;

namespace StoryEngine.Server.Apis;

public static class LocationsApi
{
    public static RouteGroupBuilder MapLocationsApi(this RouteGroupBuilder api)
    {
        var locations = api.MapGroup("/worlds/{worldId}/locations").WithTags("Locations");
        ResourceNames names = new("location", "locations");
        locations.MapGet("/", Api.List).AsList(names);
        locations.MapGet("/trash", Api.ListTrash).AsListTrash(names);
        locations.MapGet("/{id}", Api.Get).AsGet(names);
        locations.MapPost("/", Api.Create).AsCreate(names);
        locations.MapPut("/{id}", Api.Replace).AsReplace(names);
        locations.MapPatch("/{id}", Api.Patch).AsPatch(names);
        locations.MapDelete("/{id}", Api.Delete).AsDelete(names);
        locations.MapPost("/{id}/restore", Api.Restore).AsRestore(names);
        return api;
    }
}
