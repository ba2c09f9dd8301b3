using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Audit;

/// <summary>
/// One line of the append-only audit log. <see cref="UserId"/> is the account the event is about;
/// <see cref="ActorId"/> who caused it when that is someone else (an admin), null for the operator's CLI or an
/// anonymous caller. <see cref="Username"/> is the name as typed on sign-in, so failed attempts against names that do
/// not exist are visible too. Passwords and tokens are never recorded.
/// </summary>
public sealed record AuditEntry(
    string Id,
    DateTimeOffset At,
    string Action,
    string? UserId,
    string? ActorId,
    string? Username,
    string? Ip,
    string? UserAgent,
    string? Detail
);

/// <summary>Which entries an admin asked for: newest first, optionally one user's (as subject or actor) or one
/// action.</summary>
public sealed record AuditQuery(int Limit, string? BeforeId, string? UserId, string? Action)
{
    /// <summary>Builds a query from raw parameters, rejecting what is out of range with a field error.</summary>
    public static AuditQuery From(int? limit, string? cursor, string? userId, string? action)
    {
        var page = ListQuery.From(limit, cursor, null, null);
        var errors = new FieldErrors();
        errors.MaxLength("userId", userId, 64);
        if (!string.IsNullOrEmpty(action) && !AuditActions.All.Contains(action))
        {
            errors.Add(
                "action",
                $"action must be one of: {string.Join(", ", AuditActions.All.Order(StringComparer.Ordinal))}."
            );
        }
        errors.ThrowIfAny();
        return new AuditQuery(
            page.Limit,
            page.AfterId,
            string.IsNullOrEmpty(userId) ? null : userId,
            string.IsNullOrEmpty(action) ? null : action
        );
    }
}
