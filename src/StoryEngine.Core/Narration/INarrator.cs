using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Narration;

/// <summary>The narrator's model backend (the configured fallback chain) and what the prompt may use of it.</summary>
public interface INarrator
{
    IChatClient Client { get; }

    NarratorSettings Settings { get; }

    /// <summary>The settings among <paramref name="settings"/> that a backend of the chain cannot take (and is not
    /// sent), for the context inspector.</summary>
    IReadOnlyList<Generation.UnsupportedSetting> Unsupported(Generation.GenerationSettings settings) => [];

    /// <summary>True when a call of <paramref name="priority"/> (<see cref="NarrationPriority"/>) would find every
    /// backend of the chain at its limit with a full queue.</summary>
    bool IsFull(string priority) => false;
}
