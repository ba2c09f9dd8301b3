namespace StoryEngine.Providers.Configuration;

/// <summary>Everything the provider layer reads from configuration: the named backends and the narrator's use of
/// them.</summary>
public sealed class ProvidersSettings
{
    public IList<BackendOptions> Backends { get; set; } = [];

    public NarratorOptions Narrator { get; set; } = new();

    /// <summary>The backend called <paramref name="name"/> (names compare case-insensitively, as configuration keys
    /// do).</summary>
    public BackendOptions? Find(string name) =>
        Backends.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
}
