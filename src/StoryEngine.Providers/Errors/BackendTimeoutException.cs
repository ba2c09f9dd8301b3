namespace StoryEngine.Providers.Errors;

/// <summary>A backend sent no first token, or went quiet mid-stream, for longer than the narrator allows.</summary>
public sealed class BackendTimeoutException : TimeoutException
{
    public BackendTimeoutException() { }

    public BackendTimeoutException(string message)
        : base(message) { }

    public BackendTimeoutException(string message, Exception innerException)
        : base(message, innerException) { }
}
