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
}
