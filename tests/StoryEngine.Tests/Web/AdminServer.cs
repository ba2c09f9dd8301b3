using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>
/// A server of its own for the admin pages' tests: a second tier to choose, and a key on the scripted backend that
/// the backends page must never show. Its own, so the shared servers keep the one default tier other tests expect.
/// </summary>
public abstract class AdminServer<TServer> : IAsyncLifetime
    where TServer : ServerFixture, new()
{
    public const string BackendKey = "sk-web-admin-test-never-shown-4f1c2b";

    public TServer Server { get; } = new();

    public async Task InitializeAsync()
    {
        Server.ExtraSettings["Tiers:trial:DailyTokens"] = "20000";
        Server.ExtraSettings["Tiers:trial:MonthlyTokens"] = "300000";
        Server.ExtraSettings["Backends:scripted:ApiKey"] = BackendKey;
        await Server.InitializeAsync();
    }

    public Task DisposeAsync() => Server.DisposeAsync();
}

public sealed class SqliteAdminServer : AdminServer<SqliteServerFixture>;

public sealed class PostgresAdminServer : AdminServer<PostgresServerFixture>;
