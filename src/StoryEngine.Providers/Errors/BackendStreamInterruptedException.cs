namespace StoryEngine.Providers.Errors;

/// <summary>
/// A backend failed after it had already streamed tokens to the caller. Never retried or handed to another
/// backend: the caller has shown those tokens, so it keeps the partial text and decides (resume, retry the turn).
/// </summary>
public sealed class BackendStreamInterruptedException : Exception
{
    public BackendStreamInterruptedException()
    {
    }

    public BackendStreamInterruptedException(string message)
        : base(message)
    {
    }

    public BackendStreamInterruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BackendStreamInterruptedException(string backendName, string model, Exception innerException)
        : base($"The model backend '{backendName}' ({model}) failed after it had started answering: {innerException?.Message.TrimEnd('.')}. The text received so far is kept.", innerException)
    {
        BackendName = backendName;
        Model = model;
    }

    public string BackendName { get; } = "";

    public string Model { get; } = "";
}
