namespace StoryEngine.Providers.Configuration;

/// <summary>Thrown at start-up when the Backends or Narrator configuration is wrong; lists every problem, each naming
/// its key.</summary>
public sealed class ProvidersConfigurationException : Exception
{
    public ProvidersConfigurationException(IReadOnlyList<string> errors)
        : base(
            "The model backend configuration is "
                + "invalid:"
                + Environment.NewLine
                + string.Join(Environment.NewLine, errors.Select(e => "  - " + e))
        )
    {
        Errors = errors;
    }

    public ProvidersConfigurationException()
        : this([]) { }

    public ProvidersConfigurationException(string message)
        : this([message]) { }

    public ProvidersConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public IReadOnlyList<string> Errors { get; } = [];
}
