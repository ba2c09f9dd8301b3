namespace StoryEngine.Core.Cluster;

/// <summary>
/// What a turn needs when several nodes share the database (PostgreSQL): this node's name, the lease store and the
/// relay. Absent on SQLite, which runs one node: there the in-process <see cref="Narration.TurnRegistry"/> is the
/// whole truth.
/// </summary>
public sealed class NarrationCluster(ClusterSettings settings, INarrationLeases leases, NarrationRelay relay)
{
    public ClusterSettings Settings => settings;

    public INarrationLeases Leases => leases;

    public NarrationRelay Relay => relay;
}
