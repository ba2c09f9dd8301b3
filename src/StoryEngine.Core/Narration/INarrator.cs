using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Narration;

/// <summary>The narrator's model backend (the configured fallback chain) and what the prompt may use of it.</summary>
public interface INarrator
{
    IChatClient Client { get; }

    NarratorSettings Settings { get; }
}
