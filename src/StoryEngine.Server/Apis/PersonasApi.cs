using StoryEngine.Core.Personas;
using StoryEngine.Server.Contracts;
using Api = StoryEngine.Server.Apis.ResourceApi<
    StoryEngine.Core.Personas.Persona,
    StoryEngine.Server.Contracts.PersonaRequest,
    StoryEngine.Server.Contracts.PersonaResponse
>;

namespace StoryEngine.Server.Apis;

public static class PersonasApi
{
    public static RouteGroupBuilder MapPersonasApi(this RouteGroupBuilder api)
    {
        var personas = api.MapGroup("/personas").WithTags("Personas");
        ResourceNames names = new("persona", "personas");
        personas.MapGet("/", Api.List).AsList(names);
        personas.MapGet("/trash", Api.ListTrash).AsListTrash(names);
        personas.MapGet("/{id}", Api.Get).AsGet(names);
        personas.MapPost("/", Api.Create).AsCreate(names);
        personas.MapPut("/{id}", Api.Replace).AsReplace(names);
        personas.MapPatch("/{id}", Api.Patch).AsPatch(names);
        personas.MapDelete("/{id}", Api.Delete).AsDelete(names);
        personas.MapPost("/{id}/restore", Api.Restore).AsRestore(names);
        return api;
    }
}
