namespace StoryEngine.Providers.Errors;

/// <summary>A backend's gate refused a call: it is at its concurrency limit and its queue is full (issue 21).</summary>
public sealed class BackendBusyException(string backendName)
    : Exception($"Backend '{backendName}' is busy: every slot is taken and its queue is full.")
{
    public string BackendName => backendName;
}
