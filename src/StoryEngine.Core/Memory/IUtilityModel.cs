using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Memory;

/// <summary>The backend chain for background work (summaries, state extraction): Narrator:UtilityBackends.</summary>
public interface IUtilityModel
{
    IChatClient Client { get; }
}
