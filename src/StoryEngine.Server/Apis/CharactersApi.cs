using StoryEngine.Core.Characters;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

public static class CharactersApi
{
    public static RouteGroupBuilder MapCharactersApi(this RouteGroupBuilder api)
    {
        var characters = api.MapGroup("/worlds/{worldId}/characters").WithTags("Characters");
        ResourceApi<Character, CharacterRequest, CharacterResponse>.Map(characters, new("character", "characters"));
        return api;
    }
}
