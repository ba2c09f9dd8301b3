using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Narration;

/// <summary>The model for background work (world state, summaries): configuration Narrator:UtilityBackends, else the
/// narrator's.</summary>
public interface IUtilityModel
{
    IChatClient Client { get; }
}
