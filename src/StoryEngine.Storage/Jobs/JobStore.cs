using System.Data.Common;
using Dapper;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;

namespace StoryEngine.Storage.Jobs;

/// <summary>
/// The job queue on either engine. A claim is one UPDATE … RETURNING of the most urgent due row: PostgreSQL picks
/// that row with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent workers (on any node) each get a different job without
/// waiting; SQLite runs it under the provider's single-writer gate, which serialises claims in this process. Which
/// user's job comes next is fair between users (<see cref="FairnessWindow"/>); within one user, priority then age.
/// </summary>
public sealed class JobStore(IStorageProvider provider) : IJobStore
{
    private const string Columns =
        "id AS Id, type AS Type, payload AS Payload, owner_id AS OwnerId, adventure_id AS AdventureId, priority AS "
        + "Priority, state AS State, "
        + "attempts AS Attempts, max_attempts AS MaxAttempts, run_after AS RunAfter, locked_until AS LockedUntil, "
        + "last_error AS LastError, "
        + "dedupe_key AS DedupeKey, created_at AS CreatedAt, updated_at AS UpdatedAt, finished_at AS FinishedAt, "
        + "trace_parent AS TraceParent";

    // Due: waiting and its time has come, or held by a worker whose lease ran out (it died or hung).
    private const string Due =
        "((state IN ('queued', 'failed') AND run_after <= @Now) OR (state = 'running' AND " + "locked_until < @Now))";

    public async Task<JobRecord> AddAsync(JobRecord job, CancellationToken cancellationToken)
    {
        try
        {
            await using var write = await provider.OpenForBookkeepingAsync(cancellationToken);
            await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    """
                    INSERT INTO jobs (id, type, payload, owner_id, adventure_id, priority, state, attempts,
                    max_attempts, run_after, locked_until, lease_id,
                                      last_error, dedupe_key, created_at, updated_at, finished_at, trace_parent)
                    VALUES (@Id, @Type, @Payload, @OwnerId, @AdventureId, @Priority, @State, @Attempts, @MaxAttempts,
                    @RunAfter, NULL, NULL,
                            NULL, @DedupeKey, @CreatedAt, @UpdatedAt, NULL, @TraceParent)
                    """,
                    new
                    {
                        job.Id,
                        job.Type,
                        job.Payload,
                        job.OwnerId,
                        job.AdventureId,
                        Priority = (long)job.Priority,
                        job.State,
                        Attempts = (long)job.Attempts,
                        MaxAttempts = (long)job.MaxAttempts,
                        RunAfter = job.RunAfter.ToUnixTimeMilliseconds(),
                        job.DedupeKey,
                        CreatedAt = job.CreatedAt.ToUnixTimeMilliseconds(),
                        UpdatedAt = job.UpdatedAt.ToUnixTimeMilliseconds(),
                        job.TraceParent,
                    },
                    cancellationToken: cancellationToken
                )
            );
            return job;
        }
        catch (DbException e) when (job.DedupeKey is not null && provider.IsUniqueViolation(e))
        {
            await using var connection = await provider.OpenAsync(cancellationToken);
            var existing = await connection.QuerySingleOrDefaultAsync<JobRow>(
                new CommandDefinition(
                    $"SELECT {Columns} FROM jobs WHERE type = @Type AND dedupe_key = @DedupeKey AND state IN "
                        + "('queued', "
                        + "'failed', 'running')",
                    new { job.Type, job.DedupeKey },
                    cancellationToken: cancellationToken
                )
            );
            // The other job may have finished in between; then this one is new work after all.
            return existing?.ToRecord() ?? await AddAsync(job, cancellationToken);
        }
    }

    /// <summary>
    /// How far back a user's jobs count against them when the queue picks whose job runs next (issue 21): among the
    /// users with due work of the highest priority, the one with the fewest jobs running or finished in this window
    /// goes first, so one user's thousand jobs take turns with everyone else's instead of running first.
    /// </summary>
    public static readonly TimeSpan FairnessWindow = TimeSpan.FromMinutes(1);

    public async Task<ClaimedJob?> ClaimAsync(DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        var skipLocked = provider.Dialect.ForUpdateSkipLocked;
        var leaseId = Guid.NewGuid().ToString("N");
        await using var write = await provider.OpenForBookkeepingAsync(cancellationToken);
        var row = await write.Connection.QuerySingleOrDefaultAsync<JobRow>(
            new CommandDefinition(
                $"""
                UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = @LockedUntil,
                lease_id = @LeaseId, updated_at = @Now
                WHERE id = (
                    SELECT id FROM jobs WHERE {Due} AND owner_id = (
                        SELECT d.owner_id FROM jobs d WHERE {Due} GROUP BY d.owner_id
                        ORDER BY max(d.priority) DESC,
                        (SELECT count(*) FROM jobs r WHERE r.owner_id = d.owner_id
                            AND (r.state = 'running' OR r.finished_at > @Recent)),
                        min(d.run_after), d.owner_id
                        LIMIT 1)
                    ORDER BY priority DESC, run_after, id LIMIT 1{skipLocked})
                RETURNING {Columns}
                """,
                new
                {
                    Now = now.ToUnixTimeMilliseconds(),
                    Recent = (now - FairnessWindow).ToUnixTimeMilliseconds(),
                    LockedUntil = (now + lease).ToUnixTimeMilliseconds(),
                    LeaseId = leaseId,
                },
                cancellationToken: cancellationToken
            )
        );
        return row is null ? null : new ClaimedJob(row.ToRecord(), leaseId);
    }

    public async Task<bool> RenewLeaseAsync(ClaimedJob claim, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForBookkeepingAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    "UPDATE jobs SET locked_until = @Until WHERE id = @Id AND lease_id = @LeaseId AND state = "
                        + "'running'",
                    new
                    {
                        claim.Job.Id,
                        claim.LeaseId,
                        Until = until.ToUnixTimeMilliseconds(),
                    },
                    cancellationToken: cancellationToken
                )
            ) == 1;
    }

    public async Task<bool> FinishAttemptAsync(
        ClaimedJob claim,
        JobOutcome outcome,
        CancellationToken cancellationToken
    )
    {
        await using var write = await provider.OpenForBookkeepingAsync(cancellationToken);
        var changed = await write.Connection.ExecuteAsync(
            new CommandDefinition(
                """
                UPDATE jobs SET state = @State, attempts = attempts - @Refund, run_after = COALESCE(@RunAfter,
                run_after),
                                last_error = COALESCE(@Error, last_error), locked_until = NULL, lease_id = NULL,
                                updated_at = @At, finished_at = @FinishedAt
                WHERE id = @Id AND lease_id = @LeaseId AND state = 'running'
                """,
                new
                {
                    claim.Job.Id,
                    claim.LeaseId,
                    outcome.State,
                    Refund = outcome.RefundAttempt ? 1L : 0L,
                    RunAfter = outcome.RunAfter?.ToUnixTimeMilliseconds(),
                    outcome.Error,
                    At = outcome.At.ToUnixTimeMilliseconds(),
                    FinishedAt = JobStates.IsFinished(outcome.State)
                        ? outcome.At.ToUnixTimeMilliseconds()
                        : (long?)null,
                },
                cancellationToken: cancellationToken
            )
        );
        return changed == 1;
    }

    public async Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<JobRow>(
            new CommandDefinition(
                $"SELECT {Columns} FROM jobs WHERE id = @Id",
                new { Id = id },
                cancellationToken: cancellationToken
            )
        );
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(JobListQuery query, CancellationToken cancellationToken)
    {
        var sql =
            $"SELECT {Columns} FROM jobs WHERE 1 = 1"
            + (query.OwnerId is null ? "" : " AND owner_id = @OwnerId")
            + (query.AdventureId is null ? "" : " AND adventure_id = @AdventureId")
            + (query.State is null ? "" : " AND state = @State")
            + (query.AfterId is null ? "" : " AND id < @AfterId")
            + " ORDER BY id DESC LIMIT @Limit";
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRow>(
            new CommandDefinition(
                sql,
                new
                {
                    query.OwnerId,
                    query.AdventureId,
                    query.State,
                    query.AfterId,
                    Limit = (long)query.Limit,
                },
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => r.ToRecord()).ToArray();
    }

    public async Task<JobRecord?> RetryAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await ChangeAsync(
                id,
                "UPDATE jobs SET state = 'queued', attempts = 0, run_after = @Now, locked_until = NULL, lease_id = "
                    + "NULL, finished_at = NULL, updated_at = @Now "
                    + "WHERE id = @Id AND state IN ('failed', 'dead', 'cancelled')",
                now,
                "Only a failed, dead or cancelled job can be retried; this one is {0}.",
                cancellationToken
            );
        }
        catch (DbException e) when (provider.IsUniqueViolation(e))
        {
            throw new ConflictException(
                $"Job '{id}' does the same work as another job that has not finished yet; " + "wait for that one.",
                "job_duplicate"
            );
        }
    }

    public Task<JobRecord?> CancelAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        ChangeAsync(
            id,
            "UPDATE jobs SET state = 'cancelled', locked_until = NULL, lease_id = NULL, finished_at = @Now, "
                + "updated_at = @Now "
                + "WHERE id = @Id AND state IN ('queued', 'failed')",
            now,
            "Only a queued or failed job can be cancelled; this one is {0}.",
            cancellationToken
        );

    public async Task<int> PurgeFinishedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var write = await provider.OpenForBookkeepingAsync(cancellationToken);
        return await write.Connection.ExecuteAsync(
            new CommandDefinition(
                "DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < @Cutoff",
                new { Cutoff = cutoff.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken
            )
        );
    }

    // For the queue gauges on /metrics: the filter matches ix_jobs_claim's predicate, so only unfinished rows are read.
    public async Task<IReadOnlyList<JobQueueCount>> CountUnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await provider.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<CountRow>(
            new CommandDefinition(
                "SELECT type AS Type, state AS State, COUNT(*) AS Count, MIN(created_at) AS Oldest FROM jobs "
                    + "WHERE state IN ('queued', 'failed', 'running') GROUP BY type, state",
                cancellationToken: cancellationToken
            )
        );
        return rows.Select(r => new JobQueueCount(
                r.Type,
                r.State,
                r.Count,
                DateTimeOffset.FromUnixTimeMilliseconds(r.Oldest)
            ))
            .ToArray();
    }

    private async Task<JobRecord?> ChangeAsync(
        string id,
        string sql,
        DateTimeOffset now,
        string refusal,
        CancellationToken cancellationToken
    )
    {
        int changed;
        await using (var write = await provider.OpenForWriteAsync(cancellationToken))
        {
            changed = await write.Connection.ExecuteAsync(
                new CommandDefinition(
                    sql,
                    new { Id = id, Now = now.ToUnixTimeMilliseconds() },
                    cancellationToken: cancellationToken
                )
            );
        }
        var job = await GetAsync(id, cancellationToken);
        if (job is not null && changed == 0)
        {
            throw new ConflictException(
                string.Format(System.Globalization.CultureInfo.InvariantCulture, refusal, job.State),
                "job_state"
            );
        }
        return job;
    }

    private sealed class CountRow
    {
        public string Type { get; init; } = "";
        public string State { get; init; } = "";
        public long Count { get; init; }
        public long Oldest { get; init; }
    }

    private sealed class JobRow
    {
        public string Id { get; init; } = "";
        public string Type { get; init; } = "";
        public string Payload { get; init; } = "";
        public string OwnerId { get; init; } = "";
        public string? AdventureId { get; init; }
        public long Priority { get; init; }
        public string State { get; init; } = "";
        public long Attempts { get; init; }
        public long MaxAttempts { get; init; }
        public long RunAfter { get; init; }
        public long? LockedUntil { get; init; }
        public string? LastError { get; init; }
        public string? DedupeKey { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
        public long? FinishedAt { get; init; }
        public string? TraceParent { get; init; }

        public JobRecord ToRecord() =>
            new(
                Id,
                Type,
                Payload,
                OwnerId,
                AdventureId,
                (JobPriority)Priority,
                State,
                (int)Attempts,
                (int)MaxAttempts,
                Time(RunAfter),
                LockedUntil is { } l ? Time(l) : null,
                LastError,
                DedupeKey,
                Time(CreatedAt),
                Time(UpdatedAt),
                FinishedAt is { } f ? Time(f) : null,
                TraceParent
            );

        private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }
}
