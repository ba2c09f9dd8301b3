using StoryEngine.Core.Characters;
using StoryEngine.Server.Contracts;
using Api = StoryEngine.Server.Apis.ResourceApi<
    StoryEngine.Core.Characters.Character,
    StoryEngine.Server.Contracts.CharacterRequest,
    StoryEngine.Server.Contracts.CharacterResponse
>;

namespace StoryEngine.Server.Apis;

public static class CharactersApi
{
    public static RouteGroupBuilder MapCharactersApi(this RouteGroupBuilder api)
    {
        var characters = api.MapGroup("/worlds/{worldId}/characters").WithTags("Characters");
        ResourceNames names = new("character", "characters");
        characters.MapGet("/", Api.List).AsList(names);
        characters.MapGet("/trash", Api.ListTrash).AsListTrash(names);
        characters.MapGet("/{id}", Api.Get).AsGet(names);
        characters.MapPost("/", Api.Create).AsCreate(names);
        characters.MapPut("/{id}", Api.Replace).AsReplace(names);
        characters.MapPatch("/{id}", Api.Patch).AsPatch(names);
        characters.MapDelete("/{id}", Api.Delete).AsDelete(names);
        characters.MapPost("/{id}/restore", Api.Restore).AsRestore(names);
        return api;
    }
}
