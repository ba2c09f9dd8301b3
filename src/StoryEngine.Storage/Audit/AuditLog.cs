using System.Text;
using Dapper;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Resources;

namespace StoryEngine.Storage.Audit;

/// <summary>The audit_log table: inserted into and read, never updated or deleted (the database's triggers refuse
/// both).</summary>
public sealed class AuditLog(IStorageProvider provider) : IAuditLog
{
    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(
            new CommandDefinition(
                "INSERT INTO audit_log (id, at, action, user_id, actor_id, username, ip, user_agent, detail) "
                    + "VALUES (@Id, @At, @Action, @UserId, @ActorId, @Username, @Ip, @UserAgent, @Detail)",
                new
                {
                    entry.Id,
                    At = entry.At.ToUnixTimeMilliseconds(),
                    entry.Action,
                    entry.UserId,
                    entry.ActorId,
                    entry.Username,
                    entry.Ip,
                    entry.UserAgent,
                    entry.Detail,
                },
                cancellationToken: cancellationToken
            )
        );
    }

    public async Task<Page<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder(
            "SELECT id AS Id, at AS At, action AS Action, user_id AS UserId, actor_id AS "
                + "ActorId, username AS Username, "
                + "ip AS Ip, user_agent AS UserAgent, detail AS Detail FROM audit_log WHERE 1 = 1"
        );
        var parameters = new DynamicParameters(new { Take = query.Limit + 1 });
        if (query.BeforeId is not null)
        {
            sql.Append(" AND id < @BeforeId");
            parameters.Add("BeforeId", query.BeforeId);
        }
        if (query.UserId is not null)
        {
            sql.Append(" AND (user_id = @UserId OR actor_id = @UserId)");
            parameters.Add("UserId", query.UserId);
        }
        if (query.Action is not null)
        {
            sql.Append(" AND action = @Action");
            parameters.Add("Action", query.Action);
        }
        // Ids are UUIDv7 taken in order (Ids.New), so id order is the order entries were written: newest first.
        sql.Append(" ORDER BY id DESC LIMIT @Take");
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = (
            await connection.QueryAsync<Row>(
                new CommandDefinition(sql.ToString(), parameters, cancellationToken: cancellationToken)
            )
        ).ToList();
        var items = rows.Take(query.Limit).Select(r => r.ToEntry()).ToArray();
        return new Page<AuditEntry>(items, rows.Count > query.Limit ? Cursor.Encode(items[^1].Id) : null);
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public long At { get; init; }
        public string Action { get; init; } = "";
        public string? UserId { get; init; }
        public string? ActorId { get; init; }
        public string? Username { get; init; }
        public string? Ip { get; init; }
        public string? UserAgent { get; init; }
        public string? Detail { get; init; }

        public AuditEntry ToEntry() =>
            new(
                Id,
                DateTimeOffset.FromUnixTimeMilliseconds(At),
                Action,
                UserId,
                ActorId,
                Username,
                Ip,
                UserAgent,
                Detail
            );
    }
}
