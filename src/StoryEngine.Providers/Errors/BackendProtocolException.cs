namespace StoryEngine.Providers.Errors;

/// <summary>
/// The backend answered, but with something we cannot read: a malformed stream chunk, a stream that ended
/// without its final message, or an error reported inside a 200 stream. Not retried: the same server will
/// most likely say the same thing again, so the chain moves on to the next backend instead.
/// </summary>
public sealed class BackendProtocolException : Exception
{
    public BackendProtocolException() { }

    public BackendProtocolException(string message)
        : base(message) { }

    public BackendProtocolException(string message, Exception innerException)
        : base(message, innerException) { }
}
