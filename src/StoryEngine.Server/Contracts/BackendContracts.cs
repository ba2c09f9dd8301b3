namespace StoryEngine.Server.Contracts;

/// <summary>One backend's place in the model gateway on this node (issue 21): its gate (concurrency limit, calls
/// running and queued, how long admitted calls waited, calls refused because the queue was full) and the
/// identical-request cache's lookups of answers it gave.</summary>
public sealed record BackendGatewayResponse(
    int MaxConcurrency,
    int MaxQueue,
    int InteractiveReserve,
    int Running,
    int Queued,
    long Admitted,
    long Refused,
    double MeanQueueMs,
    long CacheHits,
    long CacheMisses,
    double? CacheHitRate
);
