using StoryEngine.Core.Secrets;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Server.Hosting;

/// <summary>
/// Backend API keys may be written in configuration encrypted (<c>Backends:{name}:ApiKey=enc:v1:...</c>, made by
/// <c>storyengine secrets encrypt</c>), so no plain key sits in a config file or an environment dump. They are opened
/// once at start; a value that does not open stops the start with a message naming the key (never the value).
/// </summary>
public static class BackendSecrets
{
    public static ProvidersSettings Open(ProvidersSettings settings, SecretBox box)
    {
        var errors = new List<string>();
        foreach (var backend in settings.Backends)
        {
            if (backend.ApiKey is { } key && key.StartsWith(SecretBox.ConfigurationPrefix, StringComparison.Ordinal))
            {
                try
                {
                    backend.ApiKey = box.OpenConfigurationValue(key);
                }
                catch (SecretBoxException e)
                {
                    errors.Add(
                        $"{ProvidersConfiguration.BackendsSection}:{backend.Name}:ApiKey could not be "
                            + $"decrypted: {e.Message}"
                    );
                }
            }
        }
        return errors.Count == 0 ? settings : throw new ProvidersConfigurationException(errors);
    }
}
