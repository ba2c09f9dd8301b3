using StoryEngine.Core.Personas;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

public static class PersonasApi
{
    public static RouteGroupBuilder MapPersonasApi(this RouteGroupBuilder api)
    {
        var personas = api.MapGroup("/personas").WithTags("Personas");
        ResourceApi<Persona, PersonaRequest, PersonaResponse>.Map(personas, new("persona", "personas"));
        return api;
    }
}
