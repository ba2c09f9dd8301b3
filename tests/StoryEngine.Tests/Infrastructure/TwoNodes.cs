using System.Diagnostics;
using System.Net.Http.Headers;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// Two real server hosts (two nodes) on one fresh PostgreSQL database in one test, sharing a data directory (so they
/// share the signing and secrets keys, as an operator's nodes share configuration), with short narration leases. With
/// <c>redis</c>, both also use the redis-server that scripts/test.sh starts (STORYENGINE_TEST_REDIS), under a key
/// prefix of their own so tests never see each other's counters or messages.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    public const string RedisVariable = "STORYENGINE_TEST_REDIS";

    /// <summary>The lease timeout the nodes run with: a killed node's turn is interrupted within it.</summary>
    public static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(3);

    private readonly TestPostgres _database = new();

    private TwoNodes() { }

    public ServerFixture A { get; private set; } = null!;

    public ServerFixture B { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public string DataDir { get; } =
        Path.Combine(Path.GetTempPath(), "storyengine-tests", "cluster-" + Guid.NewGuid().ToString("N"));

    /// <summary>The settings both nodes share (Redis included when asked for), beyond the fixtures'
    /// defaults.</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    public static string RedisConfiguration =>
        Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } configuration
            ? configuration
            : throw new InvalidOperationException(
                $"{RedisVariable} is not set. Run the tests with ./scripts/test.sh, which starts redis-server on "
                    + "loopback and sets it."
            );

    public static async Task<TwoNodes> StartAsync(bool redis, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var nodes = new TwoNodes();
        nodes.ConnectionString = await nodes._database.CreateAsync();
        nodes.Settings["Cluster:LeaseSeconds"] = ((int)LeaseTimeout.TotalSeconds).ToString(
            System.Globalization.CultureInfo.InvariantCulture
        );
        if (redis)
        {
            nodes.Settings["Redis:Configuration"] = RedisConfiguration;
            nodes.Settings["Redis:Prefix"] = "se-test-" + Guid.NewGuid().ToString("N")[..12] + ":";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            nodes.Settings[key] = value;
        }
        nodes.A = await nodes.StartNodeAsync("node-a");
        nodes.B = await nodes.StartNodeAsync("node-b");
        return nodes;
    }

    private async Task<ServerFixture> StartNodeAsync(string name)
    {
        var node = new ClusterNode(ConnectionString, DataDir);
        foreach (var (key, value) in Settings)
        {
            node.ExtraSettings[key] = value;
        }
        node.ExtraSettings["Cluster:NodeId"] = name;
        await node.InitializeAsync();
        return node;
    }

    /// <summary>
    /// A third node as a separate `storyengine serve` process on the same database and data directory, for a test
    /// that kills it (a process killed is a node that dies: no shutdown, no last write).
    /// </summary>
    public async Task<(Process Process, Uri Address)> StartProcessNodeAsync(string name)
    {
        var environment = SignedInServer.Environment(await ScriptedBackend.InstanceAsync());
        environment["ConnectionStrings__Postgres"] = ConnectionString;
        environment["Cluster__NodeId"] = name;
        foreach (var (key, value) in Settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }
        return await CliProcess.StartServerAsync(DataDir, environment);
    }

    /// <summary>A client of <paramref name="node"/> signed in as <paramref name="signedIn"/> is.</summary>
    public static HttpClient SameUser(ServerFixture node, HttpClient signedIn)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        return client;
    }

    public static HttpClient SameUser(Uri node, HttpClient signedIn)
    {
        var client = new HttpClient { BaseAddress = node };
        client.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        return client;
    }

    public static void Bearer(HttpClient client, string accessToken) =>
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

    public async ValueTask DisposeAsync()
    {
        if (B is not null)
        {
            await B.DisposeAsync();
        }
        if (A is not null)
        {
            await A.DisposeAsync();
        }
        await _database.DropAsync();
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }

    /// <summary>One node: the usual fixture, on a database and data directory it shares with the others.</summary>
    private sealed class ClusterNode(string connectionString, string dataDir) : ServerFixture
    {
        public override string Engine => "postgres";

        protected override Task<Dictionary<string, string?>> PrepareDatabaseAsync() =>
            Task.FromResult(
                new Dictionary<string, string?>
                {
                    ["DataDir"] = dataDir,
                    ["ConnectionStrings:Postgres"] = connectionString,
                }
            );
    }
}
