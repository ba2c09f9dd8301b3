namespace StoryEngine.Providers.Errors;

/// <summary>
/// A backend failed after it had already streamed tokens to the caller. Never retried or handed to another
/// backend: the caller has shown those tokens, so it keeps the partial text and decides (resume, retry the turn).
/// </summary>
public sealed class BackendStreamInterruptedException : Exception
{
    public BackendStreamInterruptedException() { }

    public BackendStreamInterruptedException(string message)
        : base(message) { }

    public BackendStreamInterruptedException(string message, Exception innerException)
        : base(message, innerException) { }

    public BackendStreamInterruptedException(string backendName, string model, Exception innerException)
        : base(ForPlayer, innerException)
    {
        BackendName = backendName;
        Model = model;
        Detail =
            $"The model backend '{backendName}' ({model}) failed after it had started answering: "
            + $"{innerException?.Message.TrimEnd('.')}. The text received so far is kept.";
    }

    /// <summary>What a player reads: no backend name, model or error text (issue #15, fault 6); those are in
    /// <see cref="Detail"/> and the server log.</summary>
    public const string ForPlayer =
        "The storyteller's model stopped part-way through. The text so far is kept; try again in a minute.";

    /// <summary>For the operator: which backend failed and how.</summary>
    public string Detail { get; } = "";

    public string BackendName { get; } = "";

    public string Model { get; } = "";
}
