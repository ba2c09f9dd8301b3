namespace StoryEngine.Providers.Chain;

/// <summary>The mutable record behind <see cref="BackendStatus"/>; written by concurrent turns, hence the
/// lock.</summary>
internal sealed class BackendHealth
{
    private readonly Lock _lock = new();
    private BackendState _state = BackendState.Unknown;
    private string? _lastError;
    private TimeSpan? _lastLatency;
    private DateTimeOffset? _lastSuccessAt;
    private DateTimeOffset? _lastFailureAt;
    private string? _detail;

    public string? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    public void RecordSuccess(TimeSpan timeToFirstToken, DateTimeOffset at)
    {
        lock (_lock)
        {
            _state = BackendState.Up;
            _lastLatency = timeToFirstToken;
            _lastSuccessAt = at;
        }
    }

    public void RecordProbeSuccess(string detail, DateTimeOffset at)
    {
        lock (_lock)
        {
            _state = BackendState.Up;
            _detail = detail;
            _lastSuccessAt = at;
        }
    }

    public void RecordFailure(string error, DateTimeOffset at)
    {
        lock (_lock)
        {
            _state = BackendState.Down;
            _lastError = error;
            _lastFailureAt = at;
        }
    }

    public BackendStatus Snapshot(string name, string kind, string baseUrl, string model, bool circuitOpen)
    {
        lock (_lock)
        {
            return new BackendStatus(
                name,
                kind,
                baseUrl,
                model,
                circuitOpen ? BackendState.CircuitOpen : _state,
                _lastError,
                _lastLatency,
                _lastSuccessAt,
                _lastFailureAt,
                _detail
            );
        }
    }
}
