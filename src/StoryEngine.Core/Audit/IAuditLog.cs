using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Audit;

/// <summary>The append-only record of security-relevant events. There is no update and no delete.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Newest first; <see cref="Page{T}.NextCursor"/> continues with older entries.</summary>
    Task<Page<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken);
}
