using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Audit;

/// <summary>Stamps entries with an id and the time, so the services that record events say only what
/// happened.</summary>
public sealed class AuditTrail(IAuditLog log, TimeProvider clock)
{
    private const int MaxUsername = 200;

    public Task RecordAsync(
        string action,
        RequestOrigin origin,
        CancellationToken cancellationToken,
        string? userId = null,
        string? actorId = null,
        string? username = null,
        string? detail = null
    ) =>
        log.AppendAsync(
            new AuditEntry(
                Ids.New(),
                clock.GetUtcNow(),
                action,
                userId,
                actorId,
                username is { Length: > MaxUsername } ? username[..MaxUsername] : username,
                origin.Ip,
                origin.UserAgent,
                detail
            ),
            cancellationToken
        );
}
