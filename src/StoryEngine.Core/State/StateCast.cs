using StoryEngine.Core.Characters;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.State;

/// <summary>The names a state change may use besides those already in the state: the adventure's characters and the
/// player's persona. Shared by the extraction job and the narrator's propose_state_update tool.</summary>
public sealed class StateCast(IResourceStore<Character> characters, IResourceStore<Persona> personas)
{
    public async Task<IReadOnlyCollection<string>> NamesAsync(
        Adventures.Adventure adventure,
        CancellationToken cancellationToken
    )
    {
        var names = new List<string>();
        var inWorld = new ResourceScope(adventure.OwnerId, adventure.WorldId);
        foreach (var id in adventure.CharacterIds)
        {
            if (await characters.GetAsync(inWorld, id, cancellationToken) is { } c)
            {
                names.Add(c.Body.Name);
            }
        }
        if (
            adventure.PersonaId is not null
            && await personas.GetAsync(
                new ResourceScope(adventure.OwnerId, null),
                adventure.PersonaId,
                cancellationToken
            )
                is { } p
        )
        {
            names.Add(p.Body.Name);
        }
        return names;
    }
}
