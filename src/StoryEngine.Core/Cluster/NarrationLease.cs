namespace StoryEngine.Core.Cluster;

/// <summary>
/// The right of one node to narrate one adventure, held in the database while the narration runs and renewed by the
/// node's heartbeat (docs/adr/0047-narration-leases-and-the-relay.md). A lease past <see cref="ExpiresAt"/> belongs
/// to a node that died: its turn is marked interrupted and the adventure is free again.
/// </summary>
public sealed record NarrationLease(
    string AdventureId,
    string TurnId,
    int Alternative,
    string OwnerId,
    string NodeId,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? FinishedAt = null
)
{
    /// <summary>Held: not finished, and renewed in time.</summary>
    public bool IsLive(DateTimeOffset now) => FinishedAt is null && ExpiresAt >= now;
}

/// <summary>The lease rows (table <c>narration_leases</c>).</summary>
public interface INarrationLeases
{
    /// <summary>Takes the adventure's lease when it is free, finished, expired at <paramref name="now"/>, or held by
    /// this same node (whose registry has just let the turn begin); false when another node's narration holds
    /// it.</summary>
    Task<bool> TryTakeAsync(NarrationLease lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The heartbeat: moves the expiry of every unfinished lease <paramref name="nodeId"/> holds. Returns how
    /// many.</summary>
    Task<int> RenewAsync(string nodeId, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Gives the lease up once the narration's outcome is stored: marks it finished at
    /// <paramref name="now"/>; it stays readable (for re-attaching through another node) until
    /// <see cref="PurgeFinishedAsync"/> removes it.</summary>
    Task ReleaseAsync(
        string adventureId,
        string turnId,
        string nodeId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    );

    /// <summary>Removes leases that finished before <paramref name="before"/>.</summary>
    Task PurgeFinishedAsync(DateTimeOffset before, CancellationToken cancellationToken);

    Task<NarrationLease?> FindAsync(string adventureId, CancellationToken cancellationToken);

    /// <summary>Unfinished leases whose node stopped renewing them before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<NarrationLease>> ListExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes an expired lease once its turn is settled (only if it is still that one, still
    /// expired).</summary>
    Task DeleteExpiredAsync(NarrationLease lease, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>This node's name in the cluster and how long its leases last without a heartbeat.</summary>
public sealed record ClusterSettings(string NodeId, TimeSpan LeaseTimeout)
{
    /// <summary>The heartbeat: three renewals per lease timeout, so one missed renewal loses nothing.</summary>
    public TimeSpan RenewEvery => LeaseTimeout / 3;

    /// <summary>The default name of a node: host, process id and a random suffix.</summary>
    public static string DefaultNodeId(string suffix) =>
        $"{Environment.MachineName}-{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
        + $"-{suffix}";

    /// <summary>
    /// True when <paramref name="nodeId"/> is certainly dead without waiting for its lease: this node's own name (its
    /// previous run, when the name is configured), or a default name of this host whose process is gone (or is this
    /// very process, which a different name cannot be). A restarted node then recovers its predecessor's narrations
    /// at once instead of after the lease timeout; a node on another host is only ever judged by its lease.
    /// </summary>
    public bool IsGone(string nodeId)
    {
        if (nodeId == NodeId)
        {
            return true;
        }
        var prefix = Environment.MachineName + "-";
        if (!nodeId.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = nodeId[prefix.Length..].Split('-');
        if (rest.Length != 2 || !int.TryParse(rest[0], System.Globalization.CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }
        if (pid == Environment.ProcessId)
        {
            return true;
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
    }
}
